import Testing

@testable import Fluid

/// `DataParallel`: where its ops go in the tutorial-style MLP's training program (as Paddle's
/// collective transpiler places them), and what they compute in one process, where ring 0 is
/// the single-process communicator and the all-reduces leave each gradient as it is.
@Suite struct DataParallelTests {
    struct Net {
        let main: Program, startup: Program
        let loss: Variable
    }

    static func net(_ optimizer: some Optimizer) throws -> Net {
        let main = Program()
        let startup = Program()
        main.randomSeed = 3
        startup.randomSeed = 3
        let b = ProgramBuilder(main: main, startup: startup)
        let x = b.data("x", shape: [-1, 4])
        let label = b.data("label", shape: [-1, 1], dtype: .int64)
        let hidden = try b.fc(x, size: 5, act: .relu)
        let prediction = try b.fc(hidden, size: 3, act: .softmax)
        let loss = try b.mean(try b.crossEntropy(prediction, label))
        try optimizer.minimize(loss, program: main, startup: startup)
        return Net(main: main, startup: startup, loss: loss)
    }

    static let feed: [String: Tensor] = {
        let x = try! Tensor(shape: [6, 4], scalars: (0..<24).map { Float($0 % 7) * 0.3 - 0.8 })
        let label = try! Tensor(shape: [6, 1], scalars: [0, 2, 1, 1, 0, 2] as [Int64])
        return ["x": x, "label": label]
    }()

    /// The parameters after `steps` steps.
    static func train(_ net: Net, steps: Int = 3) throws -> [String: [Float]] {
        let exe = Executor()
        let scope = Scope()
        try exe.run(net.startup, scope: scope)
        for _ in 0..<steps { try exe.run(net.main, scope: scope, feed: feed) }
        let names = net.main.globalBlock.ops.filter { $0.role.contains(.optimize) }.flatMap { $0.input("Param") }
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try scope[$0]!.scalars(as: Float.self)) })
    }

    @Test func unfusedOpsGoWherePaddlePutsThem() throws {
        let net = try Self.net(Adam(learningRate: 0.01))
        let before = net.main.globalBlock.ops
        try DataParallel(nranks: 2, bucketBytes: 0).apply(main: net.main, startup: net.startup)
        let ops = net.main.globalBlock.ops
        #expect(ops.count == before.count + 1 + 4)

        let seed = try #require(ops.firstIndex { $0.role.contains([.backward, .loss]) })
        let scale = ops[seed + 1]
        let lossGradient = try #require(ops[seed].outputNames.first)
        #expect(scale.type == "scale" && scale.role == .backward)
        #expect(scale.input("X") == [lossGradient] && scale.output("Out") == [lossGradient])
        #expect(scale.attributes["scale"] == .float(0.5))

        let firstAdam = try #require(ops.firstIndex { $0.type == "adam" })
        let gradients = ops.filter { $0.type == "adam" }.flatMap { $0.input("Grad") }
        #expect(gradients.count == 4)
        for gradient in gradients {
            let reduces = ops.indices.filter { ops[$0].type == "c_allreduce_sum" && ops[$0].input("X") == [gradient] }
            #expect(reduces.count == 1, "\(gradient)")
            let at = try #require(reduces.first)
            #expect(ops[at].output("Out") == [gradient] && ops[at].role == .backward)
            #expect(ops[at].attributes["ring_id"] == .int(0))
            // Right after the gradient's last writer (or after the other all-reduces placed
            // there), and before the optimizer.
            let writer = try #require(
                (0..<at).last { ops[$0].outputNames.contains(gradient) && ops[$0].type != "c_allreduce_sum" })
            #expect((writer + 1...at).allSatisfy { $0 == at || ops[$0].type == "c_allreduce_sum" }, "\(gradient)")
            #expect(at < firstAdam)
        }

        let startupOps = net.startup.globalBlock.ops
        let broadcasts = startupOps.suffix(4)
        #expect(broadcasts.allSatisfy { $0.type == "c_broadcast" && $0.attributes["root"] == .int(0) })
        #expect(
            Set(broadcasts.flatMap { $0.input("X") })
                == Set(ops.filter { $0.type == "adam" }.flatMap { $0.input("Param") }))
        #expect(broadcasts.allSatisfy { $0.input("X") == $0.output("Out") })
    }

    /// The MLP's gradients in the order its backward pass completes them: fc_1's bias (12
    /// bytes) and weight (60), then fc_0's bias (20) and weight (80). Buckets of at most 100
    /// bytes: [fc_1.b, fc_1.w, fc_0.b] (92), then [fc_0.w].
    @Test func bucketsFuseGradientsInTheOrderTheyComplete() throws {
        let net = try Self.net(Adam(learningRate: 0.01))
        let before = net.main.globalBlock.ops
        try DataParallel(nranks: 2, bucketBytes: 100).apply(main: net.main, startup: net.startup)
        let ops = net.main.globalBlock.ops
        #expect(ops.count == before.count + 1 + 2 * 2)
        #expect(ops.filter { $0.type == "c_allreduce_sum" }.allSatisfy { $0.input("X")[0].hasPrefix("FusedOutput_") })

        let adams = ops.filter { $0.type == "adam" }
        let gradientOf = Dictionary(uniqueKeysWithValues: adams.map { ($0.input("Param")[0], $0.input("Grad")[0]) })
        let coalesces = ops.indices.filter { ops[$0].type == "coalesce_tensor" }
        try #require(coalesces.count == 2)
        let expected = [["fc_1.b_0", "fc_1.w_0", "fc_0.b_0"], ["fc_0.w_0"]]
        for (bucket, at) in coalesces.enumerated() {
            let op = ops[at]
            #expect(op.input("Input") == expected[bucket], "\(op.input("Input"))")
            let gradients = op.input("Input").map { gradientOf[$0]! }
            #expect(op.output("Output") == gradients)
            let fused = try #require(op.output("FusedOutput").first)
            #expect(fused == "FusedOutput_" + gradients[0])
            #expect(op.attributes["copy_data"] == .bool(false) && op.attributes["use_align"] == .bool(true))
            #expect(op.attributes["dtype"] == .int(DataType.float32.rawValue) && op.role == .backward)
            // Before the first op writing any of its gradients...
            let writers = ops.indices.filter { i in
                i != at && ops[i].type != "c_allreduce_sum" && ops[i].outputNames.contains { gradients.contains($0) }
            }
            #expect(writers.allSatisfy { $0 > at } && writers.first == at + 1, "\(writers), coalesce at \(at)")
            // ... and one in-place all-reduce of the buffer right after the last.
            let reduces = ops.indices.filter { ops[$0].type == "c_allreduce_sum" && ops[$0].input("X") == [fused] }
            #expect(reduces == [writers.last! + 1], "\(reduces)")
            #expect(ops[reduces[0]].output("Out") == [fused] && ops[reduces[0]].role == .backward)
            #expect(ops[reduces[0]].attributes["ring_id"] == .int(0))
        }
        // One bucket for everything by default.
        let whole = try Self.net(Adam(learningRate: 0.01))
        try DataParallel(nranks: 2).apply(main: whole.main, startup: whole.startup)
        let fused = whole.main.globalBlock.ops.filter { $0.type == "coalesce_tensor" }
        #expect(fused.count == 1 && fused.first?.input("Input").count == 4)
        #expect(whole.main.globalBlock.ops.filter { $0.type == "c_allreduce_sum" }.count == 1)
    }

    @Test(arguments: [0, 100, DataParallel.defaultBucketBytes])
    func oneRankTrainsAsTheProgramDid(bucketBytes: Int) throws {
        let plain = try Self.net(Adam(learningRate: 0.01))
        let rewritten = try Self.net(Adam(learningRate: 0.01))
        try DataParallel(nranks: 1, bucketBytes: bucketBytes).apply(main: rewritten.main, startup: rewritten.startup)
        #expect(try Self.train(plain) == Self.train(rewritten))
    }

    /// Alone, a rank of two scales its gradient by 1/2 and the all-reduce adds nothing: SGD
    /// then takes the steps of half the learning rate.
    @Test(arguments: [0, 100]) func theLossGradientIsScaledByOneOverTheRanks(bucketBytes: Int) throws {
        let halfRate = try Self.net(SGD(learningRate: 0.05))
        let rewritten = try Self.net(SGD(learningRate: 0.1))
        try DataParallel(nranks: 2, bucketBytes: bucketBytes).apply(main: rewritten.main, startup: rewritten.startup)
        let (want, got) = (try Self.train(halfRate), try Self.train(rewritten))
        #expect(want.keys.sorted() == got.keys.sorted())
        for (name, values) in want {
            let close = zip(values, got[name] ?? []).allSatisfy { abs($0 - $1) <= 1e-6 * (1 + abs($0)) }
            #expect(close, "\(name)")
        }
    }

    @Test func aProgramWithoutBackwardIsRefused() throws {
        let net = try Self.net(Adam(learningRate: 0.01))
        let test = Program()
        test.globalBlock.ops = net.main.globalBlock.ops.filter { $0.role == .forward }
        let message = thrownMessage { try DataParallel(nranks: 2).apply(main: test, startup: net.startup) }
        #expect(message?.contains("minimize") == true, "\(message ?? "")")
        #expect(throws: FluidError.self) { _ = try DataParallel(nranks: 0) }
        #expect(throws: FluidError.self) { _ = try DataParallel(nranks: 2, bucketBytes: -1) }
    }
}
