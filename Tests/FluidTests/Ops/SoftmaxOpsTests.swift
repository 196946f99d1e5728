import Foundation
import Testing

@testable import Fluid

/// Naive softmax of a row-major tensor along `axis`, element by element with explicit strides.
private func naiveSoftmax(_ x: [Float], shape: [Int], axis: Int) -> [Float] {
    let a = axis < 0 ? axis + shape.count : axis
    var strides = [Int](repeating: 1, count: shape.count)
    for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    var out = [Float](repeating: 0, count: x.count)
    for idx in 0..<x.count {
        let k = (idx / strides[a]) % shape[a]
        let start = idx - k * strides[a]
        var denominator = 0.0
        for j in 0..<shape[a] { denominator += exp(Double(x[start + j * strides[a]])) }
        out[idx] = Float(exp(Double(x[idx])) / denominator)
    }
    return out
}

@Suite struct SoftmaxOpsTests {
    let x = Tensor.random([2, 3, 4], in: -2...2, seed: 3)

    @Test(arguments: [0, 1, 2, -1, -2])
    func softmaxAlongAxis(axis: Int) throws {
        let t = OpTest("softmax", inputs: ["X": x], attributes: ["axis": .int(Int32(axis))], outputs: ["Out"])
        try t.checkOutput(
            "Out", shape: [2, 3, 4], expected: naiveSoftmax(x.scalars(as: Float.self), shape: [2, 3, 4], axis: axis))
    }

    @Test func defaultAxisIsLast() throws {
        let t = OpTest("softmax", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput(
            "Out", shape: [2, 3, 4], expected: naiveSoftmax(x.scalars(as: Float.self), shape: [2, 3, 4], axis: 2))
    }

    @Test func largeLogitsStayFinite() throws {
        let big = try Tensor(shape: [2, 3], scalars: [1000, 1001, 1002, -1000, -1001, -1002] as [Float])
        let t = OpTest("softmax", inputs: ["X": big], outputs: ["Out"])
        let e = [exp(-2.0), exp(-1.0), 1]
        let s = e.reduce(0, +)
        let row = e.map { Float($0 / s) }
        try t.checkOutput("Out", shape: [2, 3], expected: row + row.reversed())
    }

    @Test(arguments: [0, 1, -1])
    func gradient(axis: Int) throws {
        let t = OpTest("softmax", inputs: ["X": x], attributes: ["axis": .int(Int32(axis))], outputs: ["Out"])
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let op = OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["y"]], attributes: ["axis": .int(-1)])
        let rule = try #require(try OpRegistry.definition("softmax").gradient)
        let grads = rule(GradientContext(op: op, needsGradient: { _ in true }))
        #expect(grads.count == 1)
        #expect(grads[0].type == "softmax_grad")
        #expect(grads[0].input("Out") == ["y"] && grads[0].input("Out@GRAD") == ["y@GRAD"])
        #expect(grads[0].output("X@GRAD") == ["x@GRAD"])
        #expect(grads[0].attributes["axis"] == .int(-1))
    }

    @Test func axisOutsideRankIsReported() throws {
        let op = OpDesc(type: "softmax", inputs: ["X": ["x"]], outputs: ["Out": ["y"]], attributes: ["axis": .int(3)])
        let error = #expect(throws: FluidError.self) {
            try OpRegistry.inferShape(of: op, lookup: { _ in TensorMeta(.float32, [2, 3, 4]) })
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(
            text.contains("softmax") && text.contains("'X'") && text.contains("[2, 3, 4]") && text.contains("axis 3"),
            "\(text)")
    }

    @Test func gradShapeMismatchIsReported() throws {
        let op = OpDesc(type: "softmax_grad", inputs: ["Out": ["o"], "Out@GRAD": ["g"]], outputs: ["X@GRAD": ["dx"]])
        let metas = ["o": TensorMeta(.float32, [2, 3]), "g": TensorMeta(.float32, [2, 4])]
        let error = #expect(throws: FluidError.self) { try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        let text = error.map { "\($0)" } ?? ""
        #expect(
            text.contains("softmax_grad") && text.contains("Out@GRAD") && text.contains("[2, 3]")
                && text.contains("[2, 4]"), "\(text)")
    }

    @Test func rejectsNonFloatInput() throws {
        let t = try OpTest("softmax", inputs: ["X": Tensor(shape: [2], scalars: [1, 2] as [Int64])], outputs: ["Out"])
        #expect(throws: FluidError.self) { try t.run() }
    }
}
