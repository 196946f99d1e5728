import Testing

@testable import Fluid

/// A broadcast case: shapes and axis as a program gives them, and the shapes X and Y take
/// once aligned with Out by hand (Paddle's rule worked out on paper, not by the code under test).
struct ElementwiseCase: CustomTestStringConvertible {
    var x: [Int]
    var y: [Int]
    var axis: Int32
    var alignedX: [Int]
    var alignedY: [Int]
    var out: [Int]
    var testDescription: String { "X \(x) Y \(y) axis \(axis)" }
}

private let cases: [ElementwiseCase] = [
    ElementwiseCase(
        x: [2, 3, 4], y: [2, 3, 4], axis: -1, alignedX: [2, 3, 4], alignedY: [2, 3, 4], out: [2, 3, 4]),
    // conv2d's bias add, and fc's.
    ElementwiseCase(
        x: [2, 3, 4, 5], y: [3], axis: 1, alignedX: [2, 3, 4, 5], alignedY: [1, 3, 1, 1], out: [2, 3, 4, 5]),
    ElementwiseCase(x: [4, 10], y: [10], axis: 1, alignedX: [4, 10], alignedY: [1, 10], out: [4, 10]),
    ElementwiseCase(x: [2, 3, 4], y: [3, 4], axis: -1, alignedX: [2, 3, 4], alignedY: [1, 3, 4], out: [2, 3, 4]),
    // Y with trailing 1s: kept where they fit, dropped where they would run past X.
    ElementwiseCase(
        x: [2, 3, 4, 5], y: [3, 1], axis: 1, alignedX: [2, 3, 4, 5], alignedY: [1, 3, 1, 1], out: [2, 3, 4, 5]),
    ElementwiseCase(x: [2, 3], y: [3, 1], axis: 1, alignedX: [2, 3], alignedY: [1, 3], out: [2, 3]),
    // A size-1 dim inside Y's run.
    ElementwiseCase(
        x: [2, 3, 4, 5], y: [3, 1, 5], axis: 1, alignedX: [2, 3, 4, 5], alignedY: [1, 3, 1, 5], out: [2, 3, 4, 5]),
    ElementwiseCase(x: [2, 3], y: [1], axis: -1, alignedX: [2, 3], alignedY: [1, 1], out: [2, 3]),
    // X the smaller operand (Paddle 2.x), and both sides broadcasting (numpy).
    ElementwiseCase(x: [4], y: [2, 3, 4], axis: -1, alignedX: [1, 1, 4], alignedY: [2, 3, 4], out: [2, 3, 4]),
    ElementwiseCase(x: [3, 1], y: [2, 3, 4], axis: -1, alignedX: [1, 3, 1], alignedY: [2, 3, 4], out: [2, 3, 4]),
    ElementwiseCase(x: [3, 1], y: [1, 4], axis: -1, alignedX: [3, 1], alignedY: [1, 4], out: [3, 4]),
]

/// Naive reference: out[i] = f(X at i, Y at i), walking Out's multi-index.
private func naive(_ c: ElementwiseCase, _ x: Tensor, _ y: Tensor, _ f: (Float, Float) -> Float) throws -> [Float] {
    let xs = try x.scalars(as: Float.self)
    let ys = try y.scalars(as: Float.self)
    func offset(_ index: [Int], _ dims: [Int]) -> Int {
        var o = 0
        for d in dims.indices { o = o * dims[d] + (dims[d] == 1 ? 0 : index[d]) }
        return o
    }
    var result: [Float] = []
    for i in 0..<c.out.reduce(1, *) {
        var index = [Int](repeating: 0, count: c.out.count)
        var rest = i
        for d in c.out.indices.reversed() {
            index[d] = rest % c.out[d]
            rest /= c.out[d]
        }
        result.append(f(xs[offset(index, c.alignedX)], ys[offset(index, c.alignedY)]))
    }
    return result
}

private let ops: [(type: String, f: @Sendable (Float, Float) -> Float)] = [
    ("elementwise_add", { $0 + $1 }), ("elementwise_sub", { $0 - $1 }),
    ("elementwise_mul", { $0 * $1 }), ("elementwise_div", { $0 / $1 }),
]

private func test(_ type: String, _ c: ElementwiseCase) -> OpTest {
    // Y kept away from 0 so div and its gradient stay well conditioned.
    let x = Tensor.random(c.x, seed: 3)
    let y = Tensor.random(c.y, in: 0.5...2, seed: 4)
    return OpTest(type, inputs: ["X": x, "Y": y], attributes: ["axis": .int(c.axis)], outputs: ["Out"])
}

@Suite struct ElementwiseOpsTests {
    @Test(arguments: cases) func forward(_ c: ElementwiseCase) throws {
        for (type, f) in ops {
            let t = test(type, c)
            try t.checkOutput("Out", shape: c.out, expected: naive(c, t.inputs["X"]![0], t.inputs["Y"]![0], f))
        }
    }

    @Test(arguments: cases) func gradients(_ c: ElementwiseCase) throws {
        for (type, _) in ops {
            try test(type, c).checkGradient(["X", "Y"], of: ["Out"])
        }
    }

    @Test func gradientOfOneInputOnly() throws {
        let c = cases[1]
        try test("elementwise_mul", c).checkGradient(["Y"], of: ["Out"])
        try test("elementwise_div", c).checkGradient(["X"], of: ["Out"])
    }

    @Test func gradientWithNegativeDivisor() throws {
        let x = Tensor.random([3, 4], seed: 5)
        let y = Tensor.random([4], in: -2 ... -0.5, seed: 6)
        try OpTest("elementwise_div", inputs: ["X": x, "Y": y], outputs: ["Out"]).checkGradient(
            ["X", "Y"], of: ["Out"])
    }

    @Test(arguments: [("elementwise_max", true), ("elementwise_min", false)])
    func maxAndMin(_ type: String, _ isMax: Bool) throws {
        // X kept at least 0.05 from the Y it meets, so no finite difference crosses a tie.
        let c = cases[3]
        let y = try Tensor.random(c.y, seed: 4)
        let ys = try y.scalars(as: Float.self)
        let xs = try Tensor.random(c.x, seed: 3).scalars(as: Float.self).enumerated().map { i, v in
            abs(v - ys[i % 12]) < 0.05 ? ys[i % 12] + 0.1 : v
        }
        let x = try Tensor(shape: c.x, scalars: xs)
        let t = OpTest(type, inputs: ["X": x, "Y": y], outputs: ["Out"])
        try t.checkOutput(
            "Out", shape: c.out, expected: naive(c, x, y) { isMax ? Swift.max($0, $1) : Swift.min($0, $1) })
        try t.checkGradient(["X", "Y"], of: ["Out"])
    }

    /// On a tie dOut goes to Y alone, as in Paddle (dX = dOut * (x > y) for max, (x < y) for min).
    @Test(arguments: ["elementwise_max_grad", "elementwise_min_grad"])
    func tiesRouteTheGradientToY(_ type: String) throws {
        let x = try Tensor(shape: [3], scalars: [1, 2, 3] as [Float])
        let y = try Tensor(shape: [3], scalars: [1, 5, 0] as [Float])
        let dout = try Tensor(shape: [3], scalars: [10, 20, 30] as [Float])
        let isMax = type == "elementwise_max_grad"
        let t = OpTest(
            type, inputs: ["X": x, "Y": y, "Out@GRAD": dout], attributes: ["axis": .int(-1)],
            outputs: ["X@GRAD", "Y@GRAD"])
        try t.checkOutput("X@GRAD", shape: [3], expected: isMax ? [0, 0, 30] : [0, 20, 0])
        try t.checkOutput("Y@GRAD", shape: [3], expected: isMax ? [10, 20, 0] : [10, 0, 30])
    }

    /// A gradient fed back with a shape other than the broadcast of X and Y is refused at shape inference.
    @Test func gradOfTheWrongShapeIsNamed() throws {
        let op = OpDesc(
            type: "elementwise_add_grad", inputs: ["X": ["x"], "Y": ["y"], gradName("Out"): ["dout"]],
            outputs: [gradName("X"): ["dx"]])
        let metas = [
            "x": TensorMeta(.float32, [2, 3]), "y": TensorMeta(.float32, [3]), "dout": TensorMeta(.float32, [3, 2]),
        ]
        let error = #expect(throws: FluidError.self) { try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        guard case .shapeMismatch(let type, let slot, let message) = error else { return }
        #expect(type == "elementwise_add_grad" && slot == "Out@GRAD" && message.contains("[3, 2]"), "\(message)")
    }

    @Test func largeTensorsSplitAcrossCores() throws {
        // Big enough for the kernels to split the work into chunks (on a multi-core machine).
        let c = ElementwiseCase(
            x: [2, 3, 110, 110], y: [3], axis: 1, alignedX: [2, 3, 110, 110],
            alignedY: [1, 3, 1, 1], out: [2, 3, 110, 110])
        let x = Tensor.random(c.x, seed: 1)
        let y = Tensor.random(c.y, seed: 2)
        let dout = Tensor.random(c.x, seed: 3)
        try OpTest("elementwise_add", inputs: ["X": x, "Y": y], attributes: ["axis": .int(1)], outputs: ["Out"])
            .checkOutput("Out", shape: c.out, expected: naive(c, x, y, +))
        let grad = OpTest(
            "elementwise_mul_grad", inputs: ["X": x, "Y": y, "Out@GRAD": dout],
            attributes: ["axis": .int(1)], outputs: ["X@GRAD", "Y@GRAD"])
        try grad.checkOutput("X@GRAD", shape: c.x, expected: naive(c, dout, y, *))
        let products = try zip(dout.scalars(as: Float.self), x.scalars(as: Float.self)).map { Double($0) * Double($1) }
        var dy = [Double](repeating: 0, count: 3)
        for (i, v) in products.enumerated() { dy[(i / (110 * 110)) % 3] += v }
        try grad.checkOutput("Y@GRAD", shape: c.y, expected: dy.map { Float($0) }, tolerance: 1e-4)
    }

    @Test func unknownBatchSizeAtBuildTime() throws {
        let op = OpDesc(
            type: "elementwise_add", inputs: ["X": ["x"], "Y": ["b"]], outputs: ["Out": ["o"]],
            attributes: ["axis": .int(1)])
        let metas = ["x": TensorMeta(.float32, [-1, 20, 24, 24]), "b": TensorMeta(.float32, [20])]
        let result = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
        #expect(result.first?.meta == TensorMeta(.float32, [-1, 20, 24, 24]))
    }

    @Test(arguments: [
        ([2, 3], [4], Int32(-1)),
        ([2, 3, 4], [3, 5], Int32(1)),
        ([2, 3], [3, 2], Int32(-1)),
        ([2, 3], [3], Int32(2)),
    ]) func yThatCannotBroadcast(_ x: [Int], _ y: [Int], _ axis: Int32) {
        let op = OpDesc(
            type: "elementwise_mul", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["o"]],
            attributes: ["axis": .int(axis)])
        let metas = ["x": TensorMeta(.float32, x), "y": TensorMeta(.float32, y)]
        do {
            _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
            Issue.record("X \(x) and Y \(y) at axis \(axis) should not broadcast")
        } catch {
            let message = "\(error)"
            #expect(message.contains("elementwise_mul") && message.contains("'Y'"), "\(message)")
            #expect(message.contains("\(x)") && message.contains("\(y)"), "\(message)")
        }
    }
}
