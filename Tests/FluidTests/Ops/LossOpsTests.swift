import Foundation
import Testing

@testable import Fluid

/// Rows of probabilities kept away from 0 (each row sums to 1).
private func probabilities(_ rows: Int, _ classes: Int, seed: UInt64) -> Tensor {
    let raw = Tensor.random([rows, classes], in: 1...4, seed: seed).uncheckedScalars(as: Float.self)
    var p = raw
    for r in 0..<rows {
        let s = raw[(r * classes)..<((r + 1) * classes)].reduce(0, +)
        for j in 0..<classes { p[r * classes + j] = raw[r * classes + j] / s }
    }
    return Tensor.literal([rows, classes], p)
}

private func labels(_ values: [Int64]) -> Tensor { Tensor.literal([values.count, 1], values) }

/// Naive hard-label cross entropy: -log(p[label]) per row, 0 for the ignored label.
private func naiveHard(_ p: Tensor, _ label: [Int64], ignore: Int64 = -100) throws -> [Float] {
    let classes = try p.shape.last!
    let v = try p.scalars(as: Float.self)
    return label.enumerated().map { r, l in l == ignore ? 0 : Float(-log(Double(v[r * classes + Int(l)]))) }
}

/// Naive soft-label cross entropy: -sum(label * log(p)) per row.
private func naiveSoft(_ p: Tensor, _ label: Tensor) throws -> [Float] {
    let classes = try p.shape.last!
    let v = try p.scalars(as: Float.self)
    let l = try label.scalars(as: Float.self)
    return (0..<(v.count / classes)).map { r in
        Float(-(0..<classes).map { Double(l[r * classes + $0]) * log(Double(v[r * classes + $0])) }.reduce(0, +))
    }
}

private func errorText(_ body: () throws -> Void) -> String {
    do {
        try body()
        return ""
    } catch { return "\(error)" }
}

@Suite struct LossOpsTests {
    let p = probabilities(4, 5, seed: 1)
    let hard: [Int64] = [1, -100, 4, 0]

    @Test func crossEntropyHardLabels() throws {
        let t = OpTest("cross_entropy", inputs: ["X": p, "Label": labels(hard)], outputs: ["Y"])
        try t.checkOutput("Y", shape: [4, 1], expected: naiveHard(p, hard))
    }

    @Test func crossEntropyCustomIgnoreIndex() throws {
        let l: [Int64] = [2, 3, 2, 0]
        let t = OpTest(
            "cross_entropy", inputs: ["X": p, "Label": labels(l)], attributes: ["ignore_index": .int(2)], outputs: ["Y"]
        )
        try t.checkOutput("Y", shape: [4, 1], expected: naiveHard(p, l, ignore: 2))
    }

    @Test func crossEntropyRank3() throws {
        let x = try Tensor(shape: [2, 2, 5], scalars: probabilities(4, 5, seed: 2).scalars(as: Float.self))
        let l: [Int64] = [3, 0, 4, 1]
        let t = try OpTest(
            "cross_entropy", inputs: ["X": x, "Label": Tensor(shape: [2, 2, 1], scalars: l)], outputs: ["Y"])
        try t.checkOutput("Y", shape: [2, 2, 1], expected: naiveHard(x, l))
    }

    @Test func crossEntropySoftLabels() throws {
        let soft = probabilities(4, 5, seed: 3)
        let t = OpTest(
            "cross_entropy", inputs: ["X": p, "Label": soft], attributes: ["soft_label": .bool(true)], outputs: ["Y"])
        try t.checkOutput("Y", shape: [4, 1], expected: naiveSoft(p, soft))
        try t.checkGradient(["X"], of: ["Y"])
    }

    @Test func crossEntropyGradient() throws {
        try OpTest("cross_entropy", inputs: ["X": p, "Label": labels(hard)], outputs: ["Y"]).checkGradient(
            ["X"], of: ["Y"])
    }

    @Test func crossEntropy2Outputs() throws {
        let t = OpTest("cross_entropy2", inputs: ["X": p, "Label": labels(hard)], outputs: ["Y", "MatchX", "XShape"])
        try t.checkOutput("Y", shape: [4, 1], expected: naiveHard(p, hard))
        let v = try p.scalars(as: Float.self)
        try t.checkOutput(
            "MatchX", shape: [4, 1], expected: hard.enumerated().map { r, l in l < 0 ? 0 : v[r * 5 + Int(l)] })
        #expect(try t.output("XShape").shape == [0, 4, 5])
    }

    @Test func crossEntropy2Gradient() throws {
        let t = OpTest("cross_entropy2", inputs: ["X": p, "Label": labels(hard)], outputs: ["Y", "MatchX", "XShape"])
        try t.checkGradient(["X"], of: ["Y"])
        let rule = try #require(try OpRegistry.definition("cross_entropy2").gradient)
        let g = try #require(rule(GradientContext(op: t.forwardOp, needsGradient: { _ in true })).first)
        #expect(
            g.type == "cross_entropy_grad2" && g.input("MatchX") == ["out.MatchX.0"]
                && g.input("XShape") == ["out.XShape.0"])
        #expect(
            g.input("Label") == ["Label.0"] && g.input("Y@GRAD") == ["out.Y.0@GRAD"]
                && g.output("X@GRAD") == ["X.0@GRAD"])
    }

    @Test func labelOutOfRangeIsReported() throws {
        let t = OpTest(
            "cross_entropy2", inputs: ["X": p, "Label": labels([1, 5, 0, 0])], outputs: ["Y", "MatchX", "XShape"])
        let text = errorText { _ = try t.run() }
        #expect(text.contains("cross_entropy2") && text.contains("Label 5") && text.contains("[0, 5)"), "\(text)")
    }

    @Test func labelShapeMismatchIsReported() throws {
        let op = OpDesc(type: "cross_entropy", inputs: ["X": ["x"], "Label": ["l"]], outputs: ["Y": ["y"]])
        let metas = ["x": TensorMeta(.float32, [4, 5]), "l": TensorMeta(.int64, [3, 1])]
        let text = errorText { _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        #expect(
            text.contains("cross_entropy") && text.contains("'Label'") && text.contains("[3, 1]")
                && text.contains("[4, 5]"), "\(text)")
        let floatLabels = ["x": TensorMeta(.float32, [4, 5]), "l": TensorMeta(.float32, [4, 1])]
        let dtypeText = errorText { _ = try OpRegistry.inferShape(of: op, lookup: { floatLabels[$0] }) }
        #expect(dtypeText.contains("'Label'") && dtypeText.contains("int64"), "\(dtypeText)")
    }

    @Test func probabilityZeroGivesLargeFiniteLoss() throws {
        let x = try Tensor(shape: [1, 2], scalars: [0, 1] as [Float])
        let y = try OpTest("cross_entropy", inputs: ["X": x, "Label": labels([0])], outputs: ["Y"]).output("Y")
        #expect(try y.scalars(as: Float.self) == [1e20])
    }
}
