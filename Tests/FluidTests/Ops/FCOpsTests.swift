import Testing

@testable import Fluid

/// Naive `fc`: Input read as [rows, k], times W [k, n], plus bias[j] on every row, then relu.
private func naiveFC(_ input: Tensor, _ w: Tensor, _ bias: Tensor?, rows: Int, relu: Bool) throws -> [Float] {
    let a = try input.scalars(as: Float.self)
    let b = try w.scalars(as: Float.self)
    let bias = try bias?.scalars(as: Float.self)
    let k = w.shape[0]
    let n = w.shape[1]
    var out = [Float](repeating: 0, count: rows * n)
    for i in 0..<rows {
        for j in 0..<n {
            var s = Double(bias?[j] ?? 0)
            for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
            out[i * n + j] = relu ? Float(max(s, 0)) : Float(s)
        }
    }
    return out
}

struct FCCase: CustomTestStringConvertible {
    var input: [Int]
    var w: [Int]
    var bias: [Int]?
    var inNumColDims = 1
    var activation = ""
    var out: [Int]
    var testDescription: String {
        "Input \(input) W \(w) Bias \(bias.map { "\($0)" } ?? "none") in_num_col_dims \(inNumColDims) act '\(activation)'"
    }
}

private let fcCases: [FCCase] = [
    FCCase(input: [3, 4], w: [4, 5], bias: [5], out: [3, 5]),
    FCCase(input: [3, 4], w: [4, 5], bias: [5], activation: "relu", out: [3, 5]),
    FCCase(input: [3, 4], w: [4, 5], bias: [1, 5], activation: "relu", out: [3, 5]),
    FCCase(input: [3, 4], w: [4, 5], bias: nil, activation: "relu", out: [3, 5]),
    FCCase(input: [3, 4], w: [4, 5], bias: nil, out: [3, 5]),
    // An image batch flattened to its features, and a sequence batch keeping two leading dims.
    FCCase(input: [2, 1, 3, 3], w: [9, 4], bias: [4], activation: "relu", out: [2, 4]),
    FCCase(input: [2, 3, 4], w: [4, 6], bias: [6], inNumColDims: 2, out: [2, 3, 6]),
    // A wide, odd number of columns.
    FCCase(input: [5, 7], w: [7, 37], bias: [37], activation: "relu", out: [5, 37]),
]

@Suite struct FCOpsTests {
    @Test(arguments: fcCases) func forward(_ c: FCCase) throws {
        let input = Tensor.random(c.input, seed: 1)
        let w = Tensor.random(c.w, seed: 2)
        let bias = c.bias.map { Tensor.random($0, seed: 3) }
        var inputs = ["Input": input, "W": w]
        if let bias { inputs["Bias"] = bias }
        let t = OpTest(
            "fc", inputs: inputs,
            attributes: ["in_num_col_dims": .int(Int32(c.inNumColDims)), "activation_type": .string(c.activation)],
            outputs: ["Out"])
        let rows = c.input[..<c.inNumColDims].reduce(1, *)
        try t.checkOutput(
            "Out", shape: c.out, expected: naiveFC(input, w, bias, rows: rows, relu: c.activation == "relu"))
    }

    @Test func shapeAndAttributeErrors() {
        func error(_ attributes: [String: Attribute], _ metas: [String: TensorMeta]) -> String? {
            let op = OpDesc(
                type: "fc", inputs: ["Input": ["x"], "W": ["w"], "Bias": ["b"]], outputs: ["Out": ["o"]],
                attributes: attributes)
            do {
                _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
                return nil
            } catch { return "\(error)" }
        }
        let good = [
            "x": TensorMeta(.float32, [-1, 8]), "w": TensorMeta(.float32, [8, 3]), "b": TensorMeta(.float32, [3]),
        ]
        #expect(error([:], good) == nil)
        let inner = error([:], good.merging(["w": TensorMeta(.float32, [7, 3])]) { $1 })
        #expect(inner?.contains("'W'") == true && inner?.contains("[7, 3]") == true, "\(inner ?? "no error")")
        let bias = error([:], good.merging(["b": TensorMeta(.float32, [4])]) { $1 })
        #expect(bias?.contains("'Bias'") == true, "\(bias ?? "no error")")
        let act = error(["activation_type": .string("gelu")], good)
        #expect(act?.contains("activation_type") == true && act?.contains("gelu") == true, "\(act ?? "no error")")
        let padded = error(["padding_weights": .bool(true)], good)
        #expect(padded?.contains("padding_weights") == true, "\(padded ?? "no error")")
    }

    @Test func inferredShapeKeepsLeadingDims() throws {
        let op = OpDesc(
            type: "fc", inputs: ["Input": ["x"], "W": ["w"]], outputs: ["Out": ["o"]],
            attributes: ["in_num_col_dims": .int(2)])
        let metas = ["x": TensorMeta(.float32, [-1, 5, 2, 3]), "w": TensorMeta(.float32, [6, 4])]
        let out = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
        #expect(out.first?.meta == TensorMeta(.float32, [-1, 5, 4]))
    }
}
