import Testing

@testable import Fluid

/// An MLP classifier with its loss and accuracy: what a training program holds besides the
/// prediction.
private func classifier() throws -> (PassFixture, prediction: String, loss: String) {
    var names = ("", "")
    let f = try PassFixture { net in
        let img = net.data("img", shape: [-1, 6])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        let hidden = try net.fc(img, size: 5, act: .relu)
        let prediction = try net.fc(hidden, size: 3, act: .softmax)
        let loss = try net.mean(try net.crossEntropy(prediction, label))
        _ = try net.accuracy(prediction, label)
        names = (prediction.name, loss.name)
    }
    return (f, names.0, names.1)
}

@Suite struct PruneTests {
    private let img = Tensor.random([4, 6], seed: 11)
    private let label = Tensor.literal([4, 1], [0, 2, 1, 2] as [Int64])

    @Test func keepsOnlyWhatThePredictionNeeds() throws {
        let (f, prediction, _) = try classifier()
        let pruned = f.main.copy()
        let report = try pruned.prune(feeds: ["img"], fetches: [prediction])
        #expect(opTypes(pruned) == ["mul", "elementwise_add", "relu", "mul", "elementwise_add", "softmax"])
        #expect(report.opsRemoved == f.main.globalBlock.ops.count - 6)
        #expect(pruned.globalBlock.findVar("label") == nil, "the label is no longer used")
        #expect(pruned.globalBlock.findVar("img") != nil && pruned.globalBlock.findVar(prediction) != nil)
        #expect(
            pruned.globalBlock.vars.allSatisfy { v in
                v.name == "img" || pruned.globalBlock.ops.contains { ($0.inputNames + $0.outputNames).contains(v.name) }
            })

        let before = try f.run(f.main, feed: ["img": img, "label": label], fetch: [prediction])
        let after = try f.run(pruned, feed: ["img": img], fetch: [prediction])
        expectClose(after, before)
    }

    @Test func opsWritingAFedVariableAreDropped() throws {
        // h is computed from x in the program but fed directly: its producers go.
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "x", shape: [-1, 3], needCheckFeed: true))
        try b.appendInferred(OpDesc(type: "tanh", inputs: ["X": ["x"]], outputs: ["Out": ["h"]]))
        try b.appendInferred(OpDesc(type: "relu", inputs: ["X": ["h"]], outputs: ["Out": ["y"]]))
        try p.prune(feeds: ["h"], fetches: ["y"])
        #expect(opTypes(p) == ["relu"])
        #expect(b.findVar("x") == nil)
        let h = Tensor.random([2, 3], seed: 4)
        let y = try Executor().run(p, scope: Scope(), feed: ["h": h], fetch: ["y"])[0]
        #expect(try y.scalars(as: Float.self) == h.scalars(as: Float.self).map { max($0, 0) })
    }

    @Test func fetchThatTheFeedsCannotComputeNamesTheVariable() throws {
        let (f, _, loss) = try classifier()
        let message = thrownMessage { try f.main.copy().prune(feeds: ["img"], fetches: [loss]) }
        #expect(message?.contains("'label'") == true, "\(message ?? "no error")")
        let unknown = thrownMessage { try f.main.copy().prune(feeds: ["img"], fetches: ["nowhere"]) }
        #expect(unknown?.contains("'nowhere'") == true, "\(unknown ?? "no error")")
    }

    @Test func feedAndFetchOpsOfKeptVariablesStay() throws {
        let (f, prediction, loss) = try classifier()
        let p = f.main.copy()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "feed", kind: .feedMinibatch, persistable: true))
        b.addVar(VarDesc(name: "fetch", kind: .fetchList, persistable: true))
        let feeds = [("img", 0), ("label", 1)].map {
            OpDesc(
                type: "feed", inputs: ["X": ["feed"]], outputs: ["Out": [$0.0]], attributes: ["col": .int(Int32($0.1))])
        }
        let fetches = [(prediction, 0), (loss, 1)].map {
            OpDesc(
                type: "fetch", inputs: ["X": [$0.0]], outputs: ["Out": ["fetch"]],
                attributes: ["col": .int(Int32($0.1))])
        }
        b.ops = feeds + b.ops + fetches
        try p.prune(feeds: ["img"], fetches: [prediction])
        #expect(b.ops.filter { $0.type == "feed" }.map { $0.output("Out") } == [["img"]])
        #expect(b.ops.filter { $0.type == "fetch" }.map { $0.input("X") } == [[prediction]])
        #expect(b.findVar("feed") != nil && b.findVar("fetch") != nil)
        let out = try f.run(p, feed: ["img": img], fetch: [])
        expectClose(out, try f.run(f.main, feed: ["img": img, "label": label], fetch: [prediction]))
    }

    @Test func nothingToPrune() throws {
        let (f, prediction, _) = try classifier()
        let p = f.main.copy()
        try p.prune(feeds: ["img"], fetches: [prediction])
        let again = try Prune(feeds: ["img"], fetches: [prediction]).apply(to: p, scope: nil)
        #expect(again.opsRemoved == 0 && again.variablesRemoved == 0)
    }
}
