import Foundation
import Testing

@testable import Fluid

/// Naive softmax cross entropy over [outer, classes, inner] scores with explicit index math.
/// Returns (softmax, loss); `hard` labels index rows (o * inner + i), `soft` labels have the
/// scores' layout. Without `useSoftmax` the scores are taken as probabilities.
private func naiveSoftmaxCrossEntropy(
    _ x: [Float], outer: Int, classes: Int, inner: Int, useSoftmax: Bool,
    hard: [Int64]? = nil, soft: [Float]? = nil, ignore: Int64 = -100
) -> ([Float], [Float]) {
    var prob = x
    var loss = [Float](repeating: 0, count: outer * inner)
    for o in 0..<outer {
        for i in 0..<inner {
            let at = { (k: Int) in (o * classes + k) * inner + i }
            if useSoftmax {
                let total = (0..<classes).map { exp(Double(x[at($0)])) }.reduce(0, +)
                for k in 0..<classes { prob[at(k)] = Float(exp(Double(x[at(k)])) / total) }
            }
            let row = o * inner + i
            if let hard {
                loss[row] = hard[row] == ignore ? 0 : Float(-log(Double(prob[at(Int(hard[row]))])))
            } else if let soft {
                loss[row] = Float(-(0..<classes).map { Double(soft[at($0)]) * log(Double(prob[at($0)])) }.reduce(0, +))
            }
        }
    }
    return (prob, loss)
}

@Suite struct SoftmaxWithCrossEntropyOpsTests {
    let logits = Tensor.random([4, 5], in: -3...3, seed: 21)
    let hard: [Int64] = [2, 0, -100, 4]
    var hardLabel: Tensor { Tensor.literal([4, 1], hard) }

    /// Soft labels of `shape`, normalized along `axis` of [outer, classes, inner].
    private func softLabels(_ shape: [Int], outer: Int, classes: Int, inner: Int) throws -> Tensor {
        var v = try Tensor.random(shape, in: 0.1...1, seed: 22).scalars(as: Float.self)
        for o in 0..<outer {
            for i in 0..<inner {
                let s = (0..<classes).map { v[(o * classes + $0) * inner + i] }.reduce(0, +)
                for k in 0..<classes { v[(o * classes + k) * inner + i] /= s }
            }
        }
        return try Tensor(shape: shape, scalars: v)
    }

    private func op(_ logits: Tensor, _ label: Tensor, _ attributes: [String: Attribute] = [:]) -> OpTest {
        OpTest(
            "softmax_with_cross_entropy", inputs: ["Logits": logits, "Label": label], attributes: attributes,
            outputs: ["Softmax", "Loss"])
    }

    @Test func hardLabelsWithSoftmax() throws {
        let (s, l) = try naiveSoftmaxCrossEntropy(
            logits.scalars(as: Float.self), outer: 4, classes: 5, inner: 1, useSoftmax: true, hard: hard)
        let t = op(logits, hardLabel)
        try t.checkOutput("Softmax", shape: [4, 5], expected: s)
        try t.checkOutput("Loss", shape: [4, 1], expected: l)
        try t.checkGradient(["Logits"], of: ["Loss"])
    }

    @Test func softLabelsWithSoftmax() throws {
        let label = try softLabels([4, 5], outer: 4, classes: 5, inner: 1)
        let (_, l) = try naiveSoftmaxCrossEntropy(
            logits.scalars(as: Float.self), outer: 4, classes: 5, inner: 1, useSoftmax: true,
            soft: label.scalars(as: Float.self))
        let t = op(logits, label, ["soft_label": .bool(true)])
        try t.checkOutput("Loss", shape: [4, 1], expected: l)
        try t.checkGradient(["Logits"], of: ["Loss"])
    }

    @Test func classesAlongAxisOne() throws {
        let x = Tensor.random([2, 4, 3], in: -3...3, seed: 23)
        let h: [Int64] = [0, 3, 1, 2, -100, 3]
        let (s, l) = try naiveSoftmaxCrossEntropy(
            x.scalars(as: Float.self), outer: 2, classes: 4, inner: 3, useSoftmax: true, hard: h)
        let t = try op(x, Tensor(shape: [2, 1, 3], scalars: h), ["axis": .int(1)])
        try t.checkOutput("Softmax", shape: [2, 4, 3], expected: s)
        try t.checkOutput("Loss", shape: [2, 1, 3], expected: l)
        try t.checkGradient(["Logits"], of: ["Loss"])
        let soft = try softLabels([2, 4, 3], outer: 2, classes: 4, inner: 3)
        let (_, softLoss) = try naiveSoftmaxCrossEntropy(
            x.scalars(as: Float.self), outer: 2, classes: 4, inner: 3, useSoftmax: true,
            soft: soft.scalars(as: Float.self))
        let ts = op(x, soft, ["axis": .int(1), "soft_label": .bool(true)])
        try ts.checkOutput("Loss", shape: [2, 1, 3], expected: softLoss)
        try ts.checkGradient(["Logits"], of: ["Loss"])
    }

    /// What Paddle 3.3.1 emits after a softmax layer: Logits already are probabilities.
    @Test func probabilitiesWithoutSoftmax() throws {
        let probs = Tensor.random([4, 5], in: 0.2...1, seed: 24)
        let (_, l) = try naiveSoftmaxCrossEntropy(
            probs.scalars(as: Float.self), outer: 4, classes: 5, inner: 1, useSoftmax: false, hard: hard)
        let t = op(probs, hardLabel, ["use_softmax": .bool(false)])
        try t.checkOutput("Softmax", shape: [4, 5], expected: probs.scalars(as: Float.self))
        try t.checkOutput("Loss", shape: [4, 1], expected: l)
        try t.checkGradient(["Logits"], of: ["Loss"])
    }

    @Test func softProbabilitiesWithoutSoftmax() throws {
        let probs = Tensor.random([4, 5], in: 0.2...1, seed: 25)
        let label = try softLabels([4, 5], outer: 4, classes: 5, inner: 1)
        let (_, l) = try naiveSoftmaxCrossEntropy(
            probs.scalars(as: Float.self), outer: 4, classes: 5, inner: 1, useSoftmax: false,
            soft: label.scalars(as: Float.self))
        let t = op(probs, label, ["use_softmax": .bool(false), "soft_label": .bool(true)])
        try t.checkOutput("Loss", shape: [4, 1], expected: l)
        try t.checkGradient(["Logits"], of: ["Loss"])
    }

    /// The tutorial's path: softmax, then softmax_with_cross_entropy with use_softmax false.
    /// The two grad ops chained must give d loss / d x = (softmax - onehot) * dloss, checked
    /// against both that closed form and central differences of the composed forward.
    @Test func composedWithSoftmaxLayer() throws {
        let x = Tensor.random([3, 4], in: -2...2, seed: 27)
        let label = try Tensor(shape: [3, 1], scalars: [1, 3, 0] as [Int64])
        let dloss = try Tensor(shape: [3, 1], scalars: [0.5, -1.25, 2] as [Float])
        let softmax = OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["p"]])
        let loss = OpDesc(
            type: "softmax_with_cross_entropy", inputs: ["Logits": ["p"], "Label": ["label"]],
            outputs: ["Softmax": ["s"], "Loss": ["loss"]], attributes: ["use_softmax": .bool(false)])
        func program(_ ops: [OpDesc]) -> Program {
            let p = Program()
            p.globalBlock.addVar(VarDesc(name: "x", shape: [3, 4]))
            p.globalBlock.addVar(VarDesc(name: "label", dtype: .int64, shape: [3, 1]))
            p.globalBlock.addVar(VarDesc(name: "loss@GRAD", shape: [3, 1]))
            for op in ops { p.globalBlock.appendOp(op) }
            return p
        }
        var grads: [OpDesc] = []
        for op in [loss, softmax] {
            let rule = try #require(try OpRegistry.definition(op.type).gradient)
            grads += rule(GradientContext(op: op, needsGradient: { $0 == "x" || $0 == "p" }))
        }
        let feeds = ["x": x, "label": label, "loss@GRAD": dloss]
        let analytic = try Executor().run(
            program([softmax, loss] + grads), scope: Scope(), feed: feeds, fetch: ["x@GRAD", "p"])
        let dx = try analytic[0].scalars(as: Float.self)
        let p = try analytic[1].scalars(as: Float.self)
        let labels = try label.scalars(as: Int64.self)
        let d = try dloss.scalars(as: Float.self)
        let exe = Executor()
        let scope = Scope()
        let forward = program([softmax, loss])
        for i in 0..<12 {
            let (r, k) = (i / 4, i % 4)
            let closedForm = (p[i] - (Int64(k) == labels[r] ? 1 : 0)) * d[r]
            #expect(abs(dx[i] - closedForm) < 1e-5, "dx[\(i)] \(dx[i]) vs (softmax - onehot) * dloss \(closedForm)")
            func weightedLoss(_ shift: Float) throws -> Double {
                let shifted = x.clone()
                shifted.floats[i] += shift
                let l = try exe.run(forward, scope: scope, feed: ["x": shifted, "label": label], fetch: ["loss"])[0]
                return (0..<3).reduce(0.0) { $0 + Double(l.floats[$1]) * Double(d[$1]) }
            }
            let numeric = (try weightedLoss(5e-3) - weightedLoss(-5e-3)) / 1e-2
            #expect(
                abs(Double(dx[i]) - numeric) <= 5e-3 * max(abs(numeric), 1e-2),
                "dx[\(i)] \(dx[i]) vs numeric \(numeric)")
        }
    }

    @Test(arguments: [true, false])
    func ignoredRowsHaveZeroGradient(useSoftmax: Bool) throws {
        let probs = Tensor.random([4, 5], in: 0.2...1, seed: 26)
        let t = op(probs, hardLabel, ["use_softmax": .bool(useSoftmax)])
        let grad = OpDesc(
            type: "softmax_with_cross_entropy_grad",
            inputs: ["Label": ["Label.0"], "Softmax": ["out.Softmax.0"], "Loss@GRAD": ["dloss"]],
            outputs: ["Logits@GRAD": ["dx"]], attributes: ["use_softmax": .bool(useSoftmax)])
        let dloss = try Tensor(shape: [4, 1], scalars: [1, 1, 1, 1] as [Float])
        let program = t.program([t.forwardOp, grad], extraFeeds: ["dloss": dloss])
        var feeds = t.feeds
        feeds["dloss"] = dloss
        let dx = try Executor().run(program, scope: Scope(), feed: feeds, fetch: ["dx"])[0].scalars(as: Float.self)
        #expect(dx[10..<15].allSatisfy { $0 == 0 }, "row 2 is ignored: \(Array(dx[10..<15]))")
        #expect(dx[0..<5].contains { $0 != 0 })
    }

    @Test func largeLogitsGiveFiniteLoss() throws {
        let x = try Tensor(shape: [1, 3], scalars: [0, 200, -200] as [Float])
        let loss = try op(x, Tensor(shape: [1, 1], scalars: [2] as [Int64])).output("Loss").scalars(as: Float.self)
        #expect(abs(loss[0] - 400) < 1e-3, "loss \(loss[0])")
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let t = op(logits, hardLabel, ["use_softmax": .bool(false)])
        let rule = try #require(try OpRegistry.definition("softmax_with_cross_entropy").gradient)
        let g = try #require(rule(GradientContext(op: t.forwardOp, needsGradient: { _ in true })).first)
        #expect(g.type == "softmax_with_cross_entropy_grad" && g.input("Label") == ["Label.0"])
        #expect(g.input("Softmax") == ["out.Softmax.0"] && g.input("Loss@GRAD") == ["out.Loss.0@GRAD"])
        #expect(g.output("Logits@GRAD") == ["Logits.0@GRAD"] && g.attributes["use_softmax"] == .bool(false))
    }

    @Test func labelShapeMismatchIsReported() throws {
        let op = OpDesc(
            type: "softmax_with_cross_entropy", inputs: ["Logits": ["x"], "Label": ["l"]],
            outputs: ["Softmax": ["s"], "Loss": ["loss"]], attributes: ["soft_label": .bool(true)])
        let metas = ["x": TensorMeta(.float32, [-1, 10]), "l": TensorMeta(.float32, [-1, 1])]
        var text = ""
        do { _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) } catch { text = "\(error)" }
        #expect(
            text.contains("softmax_with_cross_entropy") && text.contains("'Label'") && text.contains("[-1, 1]")
                && text.contains("[-1, 10]"), "\(text)")
    }
}
