import Testing

@testable import Fluid

@Suite struct CloneForTestTests {
    @Test func cloneAfterMinimizeHoldsOnlyForwardOpsInTestMode() throws {
        let main = Program()
        let startup = Program()
        main.randomSeed = 5
        startup.randomSeed = 5
        let net = ProgramBuilder(main: main, startup: startup)
        let x = net.data("x", shape: [-1, 3, 4, 4])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        var h = try net.batchNorm(x)
        h = try net.dropout(h, prob: 0.5)
        let prediction = try net.fc(h, size: 5, act: .softmax)
        let loss = try net.mean(try net.crossEntropy(prediction, label))
        try Adam(learningRate: 0.01).minimize(loss, program: main, startup: startup)

        let test = main.clone(forTest: true)
        let training: OpRole = [.backward, .optimize, .lrSched]
        #expect(test.globalBlock.ops.allSatisfy { $0.role.isDisjoint(with: training) })
        #expect(test.globalBlock.ops.allSatisfy { !$0.type.hasSuffix("_grad") && $0.type != "adam" })
        #expect(
            test.globalBlock.ops.filter { $0.type == "batch_norm" || $0.type == "dropout" }.allSatisfy {
                $0.attributes["is_test"] == .bool(true)
            })
        #expect(main.globalBlock.ops.contains { $0.type == "adam" }, "the original keeps its training ops")

        // In test mode batch_norm normalises with the running statistics, not the batch's.
        let exe = Executor()
        let scope = Scope()
        try exe.run(startup, scope: scope)
        let mean = try Tensor(shape: [3], scalars: [0.5, -1, 2] as [Float])
        let variance = try Tensor(shape: [3], scalars: [4, 1, 0.25] as [Float])
        scope.set("batch_norm_0.w_1", mean)
        scope.set("batch_norm_0.w_2", variance)
        let input = Tensor.random([2, 3, 4, 4], seed: 3)
        let y = try exe.run(
            test, scope: scope, feed: ["x": input, "label": Tensor(shape: [2, 1], scalars: [1, 2] as [Int64])],
            fetch: ["batch_norm_0.tmp_3", "dropout_0.tmp_0"])
        let xs = try input.scalars(as: Float.self)
        let ys = try y[0].scalars(as: Float.self)
        let ds = try y[1].scalars(as: Float.self)
        for i in xs.indices {
            let c = (i / 16) % 3
            let want =
                try (xs[i] - mean.scalars(as: Float.self)[c])
                / (variance.scalars(as: Float.self)[c] + 1e-5).squareRoot()
            #expect(abs(ys[i] - want) < 1e-4)
            #expect(abs(ds[i] - ys[i] * 0.5) < 1e-5, "dropout downgrade_in_infer scales by 1 - p in test mode")
        }
        #expect(
            try scope["batch_norm_0.w_1"]!.scalars(as: Float.self) == mean.scalars(as: Float.self),
            "running mean unchanged in test mode")
    }
}
