import Testing

@testable import Fluid

@Suite struct PassManagerTests {
    @Test func unknownPassNamesItAndTheKnownOnes() {
        let message = thrownMessage { _ = try PassManager(["prune", "constant_folding"]) }
        #expect(message?.contains("'constant_folding'") == true, "\(message ?? "no error")")
        #expect(PassManager.knownPasses.allSatisfy { message?.contains($0) == true }, "\(message ?? "no error")")
    }

    @Test func inferencePipelineOnATrainedCNN() throws {
        var prediction = ""
        let f = try PassFixture(seed: 17) { net in
            let img = net.data("img", shape: [-1, 1, 10, 10])
            let label = net.data("label", shape: [-1, 1], dtype: .int64)
            var x = try net.conv2d(img, filters: 4, size: 3)
            x = try net.batchNorm(x, act: .relu)
            x = try net.pool2d(x, size: 2, stride: 2, type: .max)
            x = try net.fc(x, size: 8, act: .relu)
            let p = try net.fc(x, size: 5, act: .softmax)
            let loss = try net.mean(try net.crossEntropy(p, label))
            try Adam(learningRate: 0.01).minimize(loss, program: net.main, startup: net.startup)
            prediction = p.name
        }
        let inference = f.main.copy()
        var seen: [String] = []
        let manager = try PassManager(PassManager.inferencePasses, feeds: ["img"], fetches: [prediction], batchSize: 4)
        let reports = try manager.run(on: inference, scope: f.scope) { name, program in
            seen.append(name)
            #expect(program === inference)
        }
        #expect(seen == PassManager.inferencePasses)
        #expect(reports.map(\.pass) == PassManager.inferencePasses)
        let byName = Dictionary(uniqueKeysWithValues: reports.map { ($0.pass, $0) })
        #expect(byName["prune"]!.opsRemoved > 0, "backward, Adam and loss ops go")
        #expect(byName["conv_bn_fold"]!.fusions == 1 && byName["fc_fuse"]!.fusions == 2)
        #expect(byName["memory_reuse"]!.bytesSaved > 0)
        let types = Set(opTypes(inference))
        #expect(
            types.isDisjoint(with: ["batch_norm", "mul", "adam", "mean"])
                && types.isSubset(of: ["conv2d", "elementwise_add", "relu", "pool2d", "fc", "softmax"]))

        // The reference: the test clone of the training program, run on the same parameters.
        let img = try Tensor.random([4, 1, 10, 10], seed: 6)
        let label = try Tensor(shape: [4, 1], scalars: [0, 1, 2, 3] as [Int64])
        let expected = try f.run(f.main.clone(forTest: true), feed: ["img": img, "label": label], fetch: [prediction])
        expectClose(try f.run(inference, feed: ["img": img], fetch: [prediction]), expected, absolute: 1e-5)
    }

    @Test func interfaceComesFromFeedAndFetchOps() throws {
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "feed", kind: .feedMinibatch, persistable: true))
        b.addVar(VarDesc(name: "fetch", kind: .fetchList, persistable: true))
        b.addVar(VarDesc(name: "x", shape: [-1, 3], needCheckFeed: true))
        b.appendOp(OpDesc(type: "feed", inputs: ["X": ["feed"]], outputs: ["Out": ["x"]], attributes: ["col": .int(0)]))
        try b.appendInferred(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["y"]]))
        try b.appendInferred(OpDesc(type: "tanh", inputs: ["X": ["x"]], outputs: ["Out": ["unused"]]))
        b.appendOp(
            OpDesc(type: "fetch", inputs: ["X": ["y"]], outputs: ["Out": ["fetch"]], attributes: ["col": .int(0)]))
        try PassManager(["prune", "dead_code_elimination"]).run(on: p, scope: nil)
        #expect(opTypes(p) == ["feed", "relu", "fetch"])
    }
}
