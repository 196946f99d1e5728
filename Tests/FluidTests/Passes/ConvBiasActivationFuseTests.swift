import Testing

@testable import Fluid

@Suite struct ConvBiasActivationFuseTests {
    /// The tutorial's CNN in small: two conv + bias + relu layers (the second without a relu),
    /// batch_norm between, trained by Adam.
    private func network() throws -> (PassFixture, loss: String, prediction: String) {
        var names = ("", "")
        let f = try PassFixture { net in
            let img = net.data("img", shape: [-1, 2, 9, 9])
            let label = net.data("label", shape: [-1, 1], dtype: .int64)
            var h = try net.conv2d(img, filters: 4, size: 3, act: .relu)
            h = try net.pool2d(h, size: 2, stride: 1, type: .max)
            h = try net.batchNorm(h)
            h = try net.conv2d(h, filters: 5, size: 3, stride: 2, padding: 1)
            let p = try net.fc(h, size: 3, act: .softmax)
            let loss = try net.mean(try net.crossEntropy(p, label))
            try Adam(learningRate: 0.01).minimize(loss, program: net.main, startup: net.startup)
            names = (loss.name, p.name)
        }
        return (f, names.0, names.1)
    }

    private var feed: [String: Tensor] {
        get throws {
            [
                "img": Tensor.random([5, 2, 9, 9], seed: 21),
                "label": try Tensor(shape: [5, 1], scalars: [Int64(0), 2, 1, 1, 0]),
            ]
        }
    }

    @Test func fusesForwardAndBackwardChains() throws {
        let (f, _, _) = try network()
        let p = f.main.copy()
        let report = try ConvBiasActivationFuse().apply(to: p, scope: nil)
        #expect(report.fusions == 2)
        // Forward: 3 ops + 2 ops become 2; backward: 3 grad ops + 2 grad ops become 2.
        #expect(report.opsRemoved == 10 && report.opsAdded == 4)
        let types = opTypes(p)
        #expect(!types.contains("conv2d") && !types.contains("conv2d_grad") && !types.contains("relu_grad"))
        #expect(
            types.filter { $0 == "fused_conv2d" }.count == 2 && types.filter { $0 == "fused_conv2d_grad" }.count == 2)
        let fused = p.globalBlock.ops.filter { $0.type == "fused_conv2d" }
        #expect(fused.map { $0.attributes["fuse_activation"] } == [.string("relu"), .string("")])
        #expect(fused[1].attributes["strides"] == .ints([2, 2]) && fused[1].attributes["paddings"] == .ints([1, 1]))
        // The bias gradients still reach the Adam ops, and the first op's Input@GRAD stays empty.
        let grads = p.globalBlock.ops.filter { $0.type == "fused_conv2d_grad" }
        #expect(Set(grads.flatMap { $0.output("Bias@GRAD") }) == ["conv2d_0.b_0@GRAD", "conv2d_1.b_0@GRAD"])
        #expect(grads.last?.output("Input@GRAD") == [])
        #expect(grads.allSatisfy { $0.role.contains(.backward) })
    }

    /// Three Adam steps on the fused and the original program from the startup program's
    /// parameters end with the same losses and parameters, to float rounding.
    @Test func trainingIsUnchanged() throws {
        let (f, loss, _) = try network()
        let fusedProgram = f.main.copy()
        try ConvBiasActivationFuse().apply(to: fusedProgram, scope: nil)
        let parameters = f.main.globalBlock.vars.filter(\.persistable).map(\.name).sorted()
        func train(_ program: Program) throws -> [Tensor] {
            let scope = Scope()
            let exe = Executor()
            try exe.run(f.startup, scope: scope)
            var losses: [Tensor] = []
            for _ in 0..<3 { losses += try exe.run(program, scope: scope, feed: try feed, fetch: [loss]) }
            return losses + parameters.compactMap { scope[$0] }
        }
        let expected = try train(f.main)
        #expect(expected.count > 20)
        expectClose(try train(fusedProgram), expected, relative: 1e-4, absolute: 1e-6)
    }

    @Test func testProgramFusesForwardOnly() throws {
        let (f, _, prediction) = try network()
        let test = f.main.clone(forTest: true)
        let fused = test.copy()
        let report = try ConvBiasActivationFuse().apply(to: fused, scope: nil)
        #expect(report.fusions == 2 && !opTypes(fused).contains("conv2d"))
        let feed = try self.feed
        expectClose(try f.run(fused, feed: feed, fetch: [prediction]), try f.run(test, feed: feed, fetch: [prediction]))
    }

    /// What `fluid bench --optimize` runs: the inference pipeline with the fusion before the
    /// memory plan, against the plain inference pipeline.
    @Test func fusesAnOptimizedInferenceProgram() throws {
        let (f, _, prediction) = try network()
        let inference = f.main.copy()
        let fused = f.main.copy()
        try PassManager(PassManager.inferencePasses, feeds: ["img"], fetches: [prediction]).run(
            on: inference, scope: f.scope)
        try PassManager(PassManager.executionPasses, feeds: ["img"], fetches: [prediction]).run(
            on: fused, scope: f.scope)
        #expect(opTypes(fused).filter { $0 == "fused_conv2d" }.count == 2 && !opTypes(fused).contains("relu"))
        let feed = ["img": try self.feed["img"]!]
        expectClose(
            try f.run(fused, feed: feed, fetch: [prediction]), try f.run(inference, feed: feed, fetch: [prediction]))
    }

    @Test func leavesChainsWhoseInsidesAreReadOrDifferent() throws {
        let (f, _, _) = try network()
        // A fetched conv output must stay computed.
        let conv0 = try #require(f.main.globalBlock.ops.first { $0.type == "conv2d" }?.output("Output").first)
        let p = f.main.copy()
        #expect(try ConvBiasActivationFuse(fetches: [conv0]).apply(to: p, scope: nil).fusions == 1)
        #expect(opTypes(p).contains("conv2d") && opTypes(p).contains("conv2d_grad"))
        // A bias along another axis is not a per-channel bias.
        let q = f.main.copy()
        for i in q.globalBlock.ops.indices where q.globalBlock.ops[i].type == "elementwise_add" {
            q.globalBlock.ops[i].attributes["axis"] = .int(-1)
        }
        #expect(try ConvBiasActivationFuse().apply(to: q, scope: nil).fusions == 0)
    }

    /// An all-reduce of a coalesce_tensor buffer holding a conv's bias gradient, placed between
    /// the grad ops the pass would fuse, reads that gradient before conv2d_grad's place: the
    /// chain's backward must stay unfused (its forward may fuse), as DataParallel's buckets need.
    @Test func anAllReduceOfAFusedBufferBetweenTheGradOpsKeepsThemApart() throws {
        let (f, _, _) = try network()
        let p = f.main.copy()
        let block = p.globalBlock
        let addGrad = try #require(
            block.ops.firstIndex { $0.type == "elementwise_add_grad" && $0.output("Y@GRAD") == ["conv2d_1.b_0@GRAD"] })
        var coalesce = OpDesc(
            type: "coalesce_tensor", inputs: ["Input": ["conv2d_1.b_0"]],
            outputs: ["Output": ["conv2d_1.b_0@GRAD"], "FusedOutput": ["fused"]])
        coalesce.role = .backward
        var reduce = OpDesc(type: "c_allreduce_sum", inputs: ["X": ["fused"]], outputs: ["Out": ["fused"]])
        reduce.role = .backward
        block.addVar(VarDesc(name: "fused", shape: [16]))
        block.ops.insert(reduce, at: addGrad + 1)
        block.ops.insert(coalesce, at: addGrad)
        try ConvBiasActivationFuse().apply(to: p, scope: nil)
        let grads = block.ops.filter { $0.type == "fused_conv2d_grad" }.flatMap { $0.output("Bias@GRAD") }
        #expect(grads == ["conv2d_0.b_0@GRAD"])
        #expect(opTypes(p).contains("conv2d_grad"))
    }
}
