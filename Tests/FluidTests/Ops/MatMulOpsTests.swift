import Testing

@testable import Fluid

/// Naive `mul`: X and Y read as the row-major matrices [xRows, k] and [k, yCols].
private func naiveMul(_ x: Tensor, _ y: Tensor, xRows: Int, k: Int, yCols: Int) throws -> [Float] {
    let a = try x.scalars(as: Float.self)
    let b = try y.scalars(as: Float.self)
    var out = [Float](repeating: 0, count: xRows * yCols)
    for i in 0..<xRows {
        for j in 0..<yCols {
            var s: Float = 0
            for p in 0..<k { s += a[i * k + p] * b[p * yCols + j] }
            out[i * yCols + j] = s
        }
    }
    return out
}

/// Naive numpy matmul: 1-D operands promoted, batch dims broadcast, transposes applied by index.
private func naiveMatMul(_ x: Tensor, _ y: Tensor, transX: Bool, transY: Bool) throws -> [Float] {
    var xs = x.shape
    var ys = y.shape
    var tx = transX
    var ty = transY
    if xs.count == 1 {
        xs = [1, xs[0]]
        tx = false
    }
    if ys.count == 1 {
        ys = [ys[0], 1]
        ty = false
    }
    let (xr, xc) = (xs[xs.count - 2], xs[xs.count - 1])
    let (yr, yc) = (ys[ys.count - 2], ys[ys.count - 1])
    let m = tx ? xc : xr
    let k = tx ? xr : xc
    let n = ty ? yr : yc
    var xb = Array(xs.dropLast(2))
    var yb = Array(ys.dropLast(2))
    while xb.count < yb.count { xb.insert(1, at: 0) }
    while yb.count < xb.count { yb.insert(1, at: 0) }
    let ob = zip(xb, yb).map { max($0, $1) }
    let a = try x.scalars(as: Float.self)
    let b = try y.scalars(as: Float.self)
    var out: [Float] = []
    for batch in 0..<ob.reduce(1, *) {
        var index = [Int](repeating: 0, count: ob.count)
        var rest = batch
        for d in ob.indices.reversed() {
            index[d] = rest % ob[d]
            rest /= ob[d]
        }
        var xo = 0
        var yo = 0
        for d in ob.indices {
            xo = xo * xb[d] + (xb[d] == 1 ? 0 : index[d])
            yo = yo * yb[d] + (yb[d] == 1 ? 0 : index[d])
        }
        xo *= xr * xc
        yo *= yr * yc
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let av = tx ? a[xo + p * xc + i] : a[xo + i * xc + p]
                    let bv = ty ? b[yo + j * yc + p] : b[yo + p * yc + j]
                    s += av * bv
                }
                out.append(s)
            }
        }
    }
    return out
}

struct MatMulCase: CustomTestStringConvertible {
    var x: [Int]
    var y: [Int]
    var transX = false
    var transY = false
    var out: [Int]
    var testDescription: String { "X \(x)\(transX ? "ᵀ" : "") Y \(y)\(transY ? "ᵀ" : "") -> \(out)" }
}

private let matmulCases: [MatMulCase] = [
    MatMulCase(x: [3, 4], y: [4, 5], out: [3, 5]),
    MatMulCase(x: [4, 3], y: [4, 5], transX: true, out: [3, 5]),
    MatMulCase(x: [3, 4], y: [5, 4], transY: true, out: [3, 5]),
    MatMulCase(x: [4, 3], y: [5, 4], transX: true, transY: true, out: [3, 5]),
    MatMulCase(x: [2, 3, 4], y: [2, 4, 5], out: [2, 3, 5]),
    MatMulCase(x: [2, 4, 3], y: [2, 5, 4], transX: true, transY: true, out: [2, 3, 5]),
    // Y without batch dims (one gemm over all batches), also transposed, and with X transposed.
    MatMulCase(x: [2, 3, 4], y: [4, 5], out: [2, 3, 5]),
    MatMulCase(x: [2, 3, 4], y: [5, 4], transY: true, out: [2, 3, 5]),
    MatMulCase(x: [2, 4, 3], y: [4, 5], transX: true, out: [2, 3, 5]),
    // X without batch dims, and batch dims broadcasting on both sides.
    MatMulCase(x: [3, 4], y: [2, 4, 5], out: [2, 3, 5]),
    MatMulCase(x: [2, 1, 3, 4], y: [3, 4, 2], out: [2, 3, 3, 2]),
    MatMulCase(x: [2, 1, 4, 3], y: [3, 2, 4], transX: true, transY: true, out: [2, 3, 3, 2]),
    // 1-D operands.
    MatMulCase(x: [4], y: [2, 4, 5], out: [2, 5]),
    MatMulCase(x: [2, 3, 4], y: [4], out: [2, 3]),
    MatMulCase(x: [4], y: [4], out: []),
    MatMulCase(x: [4], y: [5, 4], transX: true, transY: true, out: [5]),
]

private func matmulTest(_ c: MatMulCase) -> OpTest {
    OpTest(
        "matmul_v2", inputs: ["X": Tensor.random(c.x, seed: 1), "Y": Tensor.random(c.y, seed: 2)],
        attributes: ["trans_x": .bool(c.transX), "trans_y": .bool(c.transY)], outputs: ["Out"])
}

/// The message of the error shape inference throws for `op`, or nil.
private func inferenceError(_ op: OpDesc, _ metas: [String: TensorMeta]) -> String? {
    do {
        _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite struct MatMulOpsTests {
    @Test func mulOfMatrices() throws {
        let x = Tensor.random([3, 4], seed: 1)
        let y = Tensor.random([4, 5], seed: 2)
        let t = OpTest("mul", inputs: ["X": x, "Y": y], outputs: ["Out"])
        try t.checkOutput("Out", shape: [3, 5], expected: naiveMul(x, y, xRows: 3, k: 4, yCols: 5))
        try t.checkGradient(["X", "Y"], of: ["Out"])
    }

    @Test func mulFlattensByNumColDims() throws {
        // X [2, 3, 2, 2] with x_num_col_dims 2 is [6, 4]; Y [2, 2, 5] with y_num_col_dims 2 is [4, 5].
        let x = Tensor.random([2, 3, 2, 2], seed: 1)
        let y = Tensor.random([2, 2, 5], seed: 2)
        let t = OpTest(
            "mul", inputs: ["X": x, "Y": y],
            attributes: ["x_num_col_dims": .int(2), "y_num_col_dims": .int(2)], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 3, 5], expected: naiveMul(x, y, xRows: 6, k: 4, yCols: 5))
        try t.checkGradient(["X", "Y"], of: ["Out"])
    }

    @Test func mulOfImageBatch() throws {
        // fc on images: X [2, 1, 3, 3] read as [2, 9].
        let x = Tensor.random([2, 1, 3, 3], seed: 3)
        let y = Tensor.random([9, 4], seed: 4)
        let t = OpTest("mul", inputs: ["X": x, "Y": y], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 4], expected: naiveMul(x, y, xRows: 2, k: 9, yCols: 4))
        try t.checkGradient(["Y"], of: ["Out"])
    }

    @Test func mulShapeErrors() {
        let op = OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["o"]])
        let inner = inferenceError(op, ["x": TensorMeta(.float32, [2, 3]), "y": TensorMeta(.float32, [4, 5])])
        #expect(inner?.contains("'mul'") == true && inner?.contains("'Y'") == true, "\(inner ?? "no error")")
        #expect(inner?.contains("[2, 3]") == true && inner?.contains("[4, 5]") == true, "\(inner ?? "no error")")

        var deep = op
        deep.attributes["x_num_col_dims"] = .int(2)
        let rank = inferenceError(deep, ["x": TensorMeta(.float32, [2, 3]), "y": TensorMeta(.float32, [3, 5])])
        #expect(rank?.contains("'X'") == true && rank?.contains("x_num_col_dims") == true, "\(rank ?? "no error")")

        let unknownBatch = try? OpRegistry.inferShape(
            of: op,
            lookup: {
                ["x": TensorMeta(.float32, [-1, 1, 28, 28]), "y": TensorMeta(.float32, [784, 10])][$0]
            })
        #expect(unknownBatch?.first?.meta == TensorMeta(.float32, [-1, 10]))
    }

    @Test(arguments: matmulCases) func matmulForward(_ c: MatMulCase) throws {
        let t = matmulTest(c)
        try t.checkOutput(
            "Out", shape: c.out,
            expected: naiveMatMul(
                t.inputs["X"]![0], t.inputs["Y"]![0],
                transX: c.transX, transY: c.transY))
    }

    @Test(arguments: matmulCases) func matmulGradient(_ c: MatMulCase) throws {
        try matmulTest(c).checkGradient(["X", "Y"], of: ["Out"])
    }

    @Test func matmulGradientOfOneInputOnly() throws {
        try matmulTest(matmulCases[10]).checkGradient(["X"], of: ["Out"])
        try matmulTest(matmulCases[10]).checkGradient(["Y"], of: ["Out"])
    }

    @Test func matmulShapeErrors() {
        let op = OpDesc(
            type: "matmul_v2", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["o"]],
            attributes: ["trans_y": .bool(true)])
        let inner = inferenceError(op, ["x": TensorMeta(.float32, [2, 3]), "y": TensorMeta(.float32, [3, 4])])
        #expect(inner?.contains("'matmul_v2'") == true && inner?.contains("'Y'") == true, "\(inner ?? "no error")")
        #expect(inner?.contains("[2, 3]") == true && inner?.contains("[3, 4]") == true, "\(inner ?? "no error")")
        let batch = inferenceError(op, ["x": TensorMeta(.float32, [2, 3, 4]), "y": TensorMeta(.float32, [3, 5, 4])])
        #expect(batch?.contains("[2, 3, 4]") == true && batch?.contains("[3, 5, 4]") == true, "\(batch ?? "no error")")
    }
}
