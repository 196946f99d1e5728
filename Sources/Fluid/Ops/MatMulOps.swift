/// `mul` (fluid's fc matmul) and `mul_grad`; `matmul_v2` lives in MatMulOps+MatMulV2.swift.
///
/// `mul`: X, Y -> Out with `x_num_col_dims` (1) and `y_num_col_dims` (1). X is read as the
/// matrix [prod(X.dims[..<xn]), prod(X.dims[xn...])], Y likewise, and
/// Out.dims = X.dims[..<xn] + Y.dims[yn...]: X [N, 1, 28, 28] times Y [784, 10] is [N, 10].
/// `mul_grad`: X, Y, Out@GRAD -> X@GRAD = dOut * Y^T, Y@GRAD = X^T * dOut, each optional.
enum MatMulOps {
    /// `mul`'s operands as matrices: X is m x k, Y is k x n, Out m x n (-1 where unknown).
    struct MulGeometry {
        var m: Int
        var k: Int
        var n: Int
        var outShape: [Int]

        init(op: String, x: [Int], y: [Int], xNumColDims xn: Int, yNumColDims yn: Int) throws {
            guard xn >= 1, xn < x.count else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "X",
                    message: "x_num_col_dims is \(xn), but X \(x) needs it in 1..<\(x.count) (its rank)")
            }
            guard yn >= 1, yn < y.count else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "Y",
                    message: "y_num_col_dims is \(yn), but Y \(y) needs it in 1..<\(y.count) (its rank)")
            }
            let xRows = knownProduct(x[..<xn])
            let xCols = knownProduct(x[xn...])
            let yRows = knownProduct(y[..<yn])
            let yCols = knownProduct(y[yn...])
            guard dimsAgree(xCols, yRows) else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "Y",
                    message:
                        "X \(x) read as a [\(xRows), \(xCols)] matrix (x_num_col_dims \(xn)) has \(xCols) columns, "
                        + "but Y \(y) read as a [\(yRows), \(yCols)] matrix (y_num_col_dims \(yn)) has \(yRows) rows")
            }
            m = xRows
            k = xCols >= 0 ? xCols : yRows
            n = yCols
            outShape = Array(x[..<xn]) + Array(y[yn...])
        }

        init(_ op: OpDesc, x: [Int], y: [Int]) throws {
            try self.init(
                op: op.type, x: x, y: y, xNumColDims: try op.int("x_num_col_dims"),
                yNumColDims: try op.int("y_num_col_dims"))
        }

        /// The geometry of a bound kernel, per shapes of X and Y.
        static func cache(_ op: OpDesc) throws -> ShapeKeyedCache<MulGeometry> {
            let type = op.type
            let xn = try op.int("x_num_col_dims")
            let yn = try op.int("y_num_col_dims")
            return ShapeKeyedCache { x, y in try MulGeometry(op: type, x: x, y: y, xNumColDims: xn, yNumColDims: yn) }
        }
    }

    private static let mulAttributes = [
        AttributeSpec("x_num_col_dims", .int(1)), AttributeSpec("y_num_col_dims", .int(1)),
    ]

    static let mul = OpDefinition(
        OpSchema("mul", inputs: [SlotSpec("X"), SlotSpec("Y")], outputs: [SlotSpec("Out")], attributes: mulAttributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            let y = try ctx.input("Y", dtype: .float32)
            ctx.setOutput("Out", TensorMeta(x.dtype, try MulGeometry(ctx.op, x: x.shape, y: y.shape).outShape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.input("Y")
            let out = try ctx.output("Out")
            let geometry = try MulGeometry.cache(ctx.op)
            return {
                let g = try geometry.value(x, y)
                try MathOpSupport.requireShape("mul", "Out", out, g.outShape)
                sgemm(m: g.m, n: g.n, k: g.k, a: x.floats, b: y.floats, c: out.floats)
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "mul_grad", inputs: ["X": g.input("X"), "Y": g.input("Y"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X"), gradName("Y"): g.inputGrad("Y")])
            ]
        })

    static let mulGrad = OpDefinition(
        OpSchema(
            "mul_grad", inputs: [SlotSpec("X"), SlotSpec("Y"), SlotSpec(gradName("Out"))],
            outputs: [.optional(gradName("X")), .optional(gradName("Y"))], attributes: mulAttributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            let y = try ctx.input("Y", dtype: .float32)
            _ = try ctx.input(gradName("Out"), dtype: .float32)
            ctx.setOutput(gradName("X"), x)
            ctx.setOutput(gradName("Y"), y)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.input("Y")
            let dout = try ctx.input(gradName("Out"))
            let dx = ctx.outputIfPresent(gradName("X"))
            let dy = ctx.outputIfPresent(gradName("Y"))
            let geometry = try MulGeometry.cache(ctx.op)
            return {
                let g = try geometry.value(x, y)
                try MathOpSupport.requireShape("mul_grad", gradName("Out"), dout, g.outShape)
                // dX [m, k] = dOut [m, n] * Y^T; dY [k, n] = X^T * dOut [m, n].
                if let dx { sgemm(transB: true, m: g.m, n: g.k, k: g.n, a: dout.floats, b: y.floats, c: dx.floats) }
                if let dy { sgemm(transA: true, m: g.k, n: g.n, k: g.m, a: x.floats, b: dout.floats, c: dy.floats) }
            }
        })

    static let definitions = [mul, mulGrad, matmulV2, matmulV2Grad]
}
