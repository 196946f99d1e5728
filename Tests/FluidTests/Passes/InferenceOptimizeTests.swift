import Testing

@testable import Fluid

@Suite struct InferenceOptimizeTests {
    /// A small CNN with batch_norm and dropout, trained by Adam: backward, optimizer and
    /// training-mode ops everywhere.
    private func trainedNetwork() throws -> (PassFixture, prediction: String) {
        var prediction = ""
        let f = try PassFixture { net in
            let img = net.data("img", shape: [-1, 2, 6, 6])
            let label = net.data("label", shape: [-1, 1], dtype: .int64)
            var h = try net.conv2d(img, filters: 3, size: 3, act: .relu)
            h = try net.batchNorm(h)
            h = try net.dropout(h, prob: 0.3)
            let p = try net.fc(h, size: 4, act: .softmax)
            let loss = try net.mean(try net.crossEntropy(p, label))
            _ = try net.accuracy(p, label)
            try Adam(learningRate: 0.01).minimize(loss, program: net.main, startup: net.startup)
            prediction = p.name
        }
        return (f, prediction)
    }

    @Test func trainingProgramBecomesItsInferencePart() throws {
        let (f, prediction) = try trainedNetwork()
        let p = f.main.copy()
        let report = try InferenceOptimize(fetches: [prediction]).apply(to: p, scope: nil)
        let training: OpRole = [.backward, .optimize, .lrSched]
        #expect(p.globalBlock.ops.allSatisfy { $0.role.isDisjoint(with: training) })
        #expect(
            opTypes(p) == [
                "conv2d", "elementwise_add", "relu", "batch_norm", "dropout", "mul", "elementwise_add", "softmax",
            ],
            "loss and accuracy do not reach the prediction")
        #expect(
            p.globalBlock.ops.filter { ["conv2d", "batch_norm", "dropout"].contains($0.type) }
                .allSatisfy { $0.attributes["is_test"] == .bool(true) })
        #expect(report.opsRemoved == f.main.globalBlock.ops.count - 8)
        #expect(p.globalBlock.findVar("label") != nil, "data variables stay")
        #expect(!p.globalBlock.vars.contains { $0.name.contains("@GRAD") || $0.name.contains("moment") })

        // The reference: the existing test clone, which drops by role and keeps the loss.
        let input = try Tensor.random([3, 2, 6, 6], seed: 5)
        let label = try Tensor(shape: [3, 1], scalars: [1, 0, 3] as [Int64])
        let expected = try f.run(
            f.main.clone(forTest: true), feed: ["img": input, "label": label], fetch: [prediction])
        expectClose(try f.run(p, feed: ["img": input], fetch: [prediction]), expected)
    }

    @Test func inferenceProgramIsLeftAsItIs() throws {
        var prediction = ""
        let f = try PassFixture { net in
            prediction = try net.fc(net.data("x", shape: [-1, 4]), size: 3, act: .relu).name
        }
        let p = f.main.copy()
        let report = try p.inferenceOptimize(fetches: [prediction])
        #expect(report.opsRemoved == 0 && report.variablesRemoved == 0)
        #expect(p.globalBlock.ops == f.main.globalBlock.ops)
    }

    @Test func withoutFetchTargetsUnusedForwardOpsStay() throws {
        let (f, _) = try trainedNetwork()
        let p = f.main.copy()
        let report = try p.inferenceOptimize()
        #expect(opTypes(p).contains("cross_entropy2") || opTypes(p).contains("cross_entropy"))
        #expect(opTypes(p).contains("accuracy"))
        #expect(!report.notes.isEmpty)
    }
}
