/// Rewrites a training program for data-parallel training over `nranks` processes, as
/// PaddlePaddle's collective transpiler does: every rank runs the rewritten program on its own
/// share of each batch, and the ranks keep identical parameters.
///
/// - main: a `scale` op (1 / nranks, in place on `loss@GRAD`, role Backward) right after the
///   op that seeds the loss gradient (role Backward | Loss), so each rank's gradients are its
///   share of the mean; and a `c_allreduce_sum` (in place, ring 0, role Backward) right after
///   the backward op that completes each parameter's gradient, so every rank holds the sum of
///   the shares before the optimizer reads it. The gradients are those the optimizer ops read
///   (`Grad`), in the order they complete, which is the same on every rank.
/// - startup: a `c_broadcast` of every parameter from rank 0 (in place, ring 0) after its
///   initialisation, so every rank starts from rank 0's values.
///
/// ```swift
/// try Adam(learningRate: 0.001).minimize(loss, program: main, startup: startup)
/// try DataParallel(nranks: world.size).apply(main: main, startup: startup)
/// ```
public struct DataParallel: Sendable {
    public let nranks: Int

    public init(nranks: Int) throws {
        guard nranks >= 1 else {
            throw FluidError.invalidArgument(name: "nranks", message: "is \(nranks); it must be at least 1")
        }
        self.nranks = nranks
    }

    /// Rewrites `main` and `startup` in place. A program without backward and optimizer ops
    /// (not yet `minimize`d, or a test program) is an error.
    public func apply(main: Program, startup: Program) throws {
        let block = main.globalBlock
        let ops = block.ops
        guard let lossGradient = ops.firstIndex(where: { $0.role.contains([.backward, .loss]) }) else {
            throw FluidError.program(
                "DataParallel needs a training program: no op seeds the loss gradient (op_role Backward | Loss); apply it after minimize"
            )
        }
        let optimizers = ops.indices.filter { ops[$0].role.contains(.optimize) && !ops[$0].input("Grad").isEmpty }
        guard let firstOptimizer = optimizers.first else {
            throw FluidError.program("DataParallel needs a training program: it has no optimizer ops reading Grad")
        }
        let gradients = optimizers.flatMap { ops[$0].input("Grad") }
        let parameters = optimizers.flatMap { ops[$0].input("Param") }

        // After which op each gradient is complete: its last writer before the optimizer.
        var insertions: [Int: [OpDesc]] = [:]
        for gradient in gradients {
            guard let writer = (0..<firstOptimizer).last(where: { ops[$0].outputNames.contains(gradient) }) else {
                throw FluidError.program("DataParallel: no backward op computes \(gradient), which an optimizer reads")
            }
            insertions[writer, default: []].append(
                Self.collective("c_allreduce_sum", gradient, role: .backward, [:]))
        }
        let lossGradientName = try Self.onlyOutput(ops[lossGradient])
        var scale = OpDesc(
            type: "scale", inputs: ["X": [lossGradientName]], outputs: ["Out": [lossGradientName]],
            attributes: ["scale": .float(1 / Float(nranks))])
        scale.role = .backward
        insertions[lossGradient, default: []].insert(scale, at: 0)

        var rewritten: [OpDesc] = []
        for (i, op) in ops.enumerated() {
            rewritten.append(op)
            rewritten += insertions[i] ?? []
        }
        block.ops = rewritten

        let startupBlock = startup.globalBlock
        for parameter in parameters {
            guard startupBlock.ops.contains(where: { $0.outputNames.contains(parameter) }) else {
                throw FluidError.program("DataParallel: the startup program does not initialise parameter \(parameter)")
            }
            startupBlock.ops.append(
                Self.collective("c_broadcast", parameter, role: .forward, ["root": .int(0)]))
        }
    }

    /// An in-place collective on `variable` over ring 0, with the attributes Paddle's transpiler sets.
    static func collective(
        _ type: String, _ variable: String, role: OpRole, _ extra: [String: Attribute]
    ) -> OpDesc {
        var op = OpDesc(
            type: type, inputs: ["X": [variable]], outputs: ["Out": [variable]],
            attributes: ["ring_id": .int(0)].merging(extra) { _, new in new })
        op.role = role
        return op
    }

    static func onlyOutput(_ op: OpDesc) throws -> String {
        let names = op.outputNames
        guard names.count == 1 else {
            throw FluidError.program(
                "DataParallel: the loss-gradient op \(op.type) writes \(names.count) variables; it should write loss@GRAD alone"
            )
        }
        return names[0]
    }
}
