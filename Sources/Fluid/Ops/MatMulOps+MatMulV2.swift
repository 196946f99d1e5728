/// `matmul_v2`: X, Y -> Out with `trans_x` (false) and `trans_y` (false), numpy's matmul:
/// the last two dims are the matrices, leading dims are batch dims that broadcast; a 1-D X is
/// a row vector [1, K] and a 1-D Y a column vector [K, 1], whose unit dim is dropped from Out
/// (their trans flag does not apply). `matmul_v2_grad`: X, Y, Out@GRAD -> X@GRAD, Y@GRAD,
/// summed over the batches an operand was broadcast to.
extension MatMulOps {
    /// Sizes of one batch's product op(X) [m, k] * op(Y) [k, n], and how batches map to operands.
    struct MatMulGeometry {
        var m = 0, k = 0, n = 0
        var transX: Bool, transY: Bool
        var outShape: [Int] = []
        /// Batch dims of X, Y (padded with 1s to Out's) and Out.
        var xBatch: [Int] = [], yBatch: [Int] = [], outBatch: [Int] = []

        init(op: String, x: [Int], y: [Int], transX: Bool, transY: Bool) throws {
            guard !x.isEmpty, !y.isEmpty else {
                throw FluidError.shapeMismatch(
                    op: op, slot: x.isEmpty ? "X" : "Y", message: "X \(x) and Y \(y) must both have rank 1 or more")
            }
            let xs = x.count == 1 ? [1, x[0]] : x
            let ys = y.count == 1 ? [y[0], 1] : y
            self.transX = x.count > 1 && transX
            self.transY = y.count > 1 && transY
            let (xr, xc) = (xs[xs.count - 2], xs[xs.count - 1])
            let (yr, yc) = (ys[ys.count - 2], ys[ys.count - 1])
            m = self.transX ? xc : xr
            n = self.transY ? yr : yc
            let kx = self.transX ? xr : xc
            let ky = self.transY ? yc : yr
            guard dimsAgree(kx, ky) else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "Y",
                    message:
                        "X \(x) (trans_x \(transX)) has \(kx) columns but Y \(y) (trans_y \(transY)) has \(ky) rows")
            }
            k = kx >= 0 ? kx : ky
            let rank = max(xs.count, ys.count) - 2
            xBatch = [Int](repeating: 1, count: rank - (xs.count - 2)) + xs.dropLast(2)
            yBatch = [Int](repeating: 1, count: rank - (ys.count - 2)) + ys.dropLast(2)
            for (a, b) in zip(xBatch, yBatch) {
                if a == b || b == 1 {
                    outBatch.append(a)
                } else if a == 1 || a < 0 {
                    outBatch.append(b)
                } else if b < 0 {
                    outBatch.append(a)
                } else {
                    throw FluidError.shapeMismatch(
                        op: op, slot: "Y", message: "batch dims of X \(x) and Y \(y) do not broadcast")
                }
            }
            outShape = outBatch + (x.count == 1 ? [] : [m]) + (y.count == 1 ? [] : [n])
        }

        init(_ op: OpDesc, x: [Int], y: [Int]) throws {
            try self.init(op: op.type, x: x, y: y, transX: try op.bool("trans_x"), transY: try op.bool("trans_y"))
        }

        /// The geometry and gemm calls of a bound kernel, per shapes of X and Y.
        static func cache(_ op: OpDesc) throws -> ShapeKeyedCache<(geometry: MatMulGeometry, batches: MatMulBatches)> {
            let type = op.type
            let tx = try op.bool("trans_x")
            let ty = try op.bool("trans_y")
            return ShapeKeyedCache { x, y in
                let g = try MatMulGeometry(op: type, x: x, y: y, transX: tx, transY: ty)
                return (g, g.batchPlan())
            }
        }

        /// The gemm calls of a bound kernel (concrete sizes only).
        func batchPlan() -> MatMulBatches {
            let batches = outBatch.reduce(1, *)
            let xMatrix = m * k
            let yMatrix = k * n
            if yBatch.allSatisfy({ $0 == 1 }) && !transX {
                // Y is shared by every batch and X's rows are contiguous: one gemm over all batches
                // (its k spans all batches in Y's gradient, which so sums them).
                return MatMulBatches(m: batches * m, xOffsets: [0], yOffsets: [0], xShared: false, yShared: false)
            }
            var xOffsets = [Int](repeating: 0, count: batches)
            var yOffsets = xOffsets
            for b in 0..<batches {
                var rest = b
                var xi = 0
                var yi = 0
                var xStride = 1
                var yStride = 1
                for d in outBatch.indices.reversed() {
                    let i = rest % outBatch[d]
                    rest /= outBatch[d]
                    if xBatch[d] != 1 {
                        xi += i * xStride
                        xStride *= xBatch[d]
                    }
                    if yBatch[d] != 1 {
                        yi += i * yStride
                        yStride *= yBatch[d]
                    }
                }
                xOffsets[b] = xi * xMatrix
                yOffsets[b] = yi * yMatrix
            }
            return MatMulBatches(
                m: m, xOffsets: xOffsets, yOffsets: yOffsets,
                xShared: xBatch.reduce(1, *) < batches, yShared: yBatch.reduce(1, *) < batches)
        }
    }

    /// One gemm per entry of the offsets; an operand shared by several batches gets its gradient summed.
    struct MatMulBatches {
        /// Rows of op(X) per gemm (all batches' rows when they are folded into one gemm).
        var m: Int
        var xOffsets: [Int]
        var yOffsets: [Int]
        var xShared: Bool
        var yShared: Bool
    }

    private static let matmulAttributes = [
        AttributeSpec("trans_x", .bool(false)), AttributeSpec("trans_y", .bool(false)),
    ]

    static let matmulV2 = OpDefinition(
        OpSchema(
            "matmul_v2", inputs: [SlotSpec("X"), SlotSpec("Y")], outputs: [SlotSpec("Out")],
            attributes: matmulAttributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            let y = try ctx.input("Y", dtype: .float32)
            ctx.setOutput("Out", TensorMeta(x.dtype, try MatMulGeometry(ctx.op, x: x.shape, y: y.shape).outShape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.input("Y")
            let out = try ctx.output("Out")
            let geometry = try MatMulGeometry.cache(ctx.op)
            return {
                let (g, p) = try geometry.value(x, y)
                try MathOpSupport.requireShape("matmul_v2", "Out", out, g.outShape)
                let xs = x.floats
                let ys = y.floats
                let o = out.floats
                let outMatrix = p.m * g.n
                for b in p.xOffsets.indices {
                    sgemm(
                        transA: g.transX, transB: g.transY, m: p.m, n: g.n, k: g.k,
                        a: xs + p.xOffsets[b], b: ys + p.yOffsets[b], c: o + b * outMatrix)
                }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "matmul_v2_grad",
                    inputs: ["X": g.input("X"), "Y": g.input("Y"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X"), gradName("Y"): g.inputGrad("Y")])
            ]
        })

    static let matmulV2Grad = OpDefinition(
        OpSchema(
            "matmul_v2_grad", inputs: [SlotSpec("X"), SlotSpec("Y"), SlotSpec(gradName("Out"))],
            outputs: [.optional(gradName("X")), .optional(gradName("Y"))], attributes: matmulAttributes),
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
            let geometry = try MatMulGeometry.cache(ctx.op)
            return {
                let (g, p) = try geometry.value(x, y)
                try MathOpSupport.requireShape("matmul_v2_grad", gradName("Out"), dout, g.outShape)
                let (m, k, n, tx, ty) = (p.m, g.k, g.n, g.transX, g.transY)
                let outMatrix = m * n
                let xs = x.floats
                let ys = y.floats
                let d = dout.floats
                // A shared operand's gradient sums over its batches: zero it, then accumulate (beta 1).
                if let dx {
                    let r = dx.floats
                    let beta: Float = p.xShared ? 1 : 0
                    if p.xShared { r.update(repeating: 0, count: dx.count) }
                    for b in p.xOffsets.indices {
                        let dO = d + b * outMatrix
                        let yb = ys + p.yOffsets[b]
                        let c = r + p.xOffsets[b]
                        if tx {  // dX [k, m] = op(Y) * dO^T
                            sgemm(transA: ty, transB: true, m: k, n: m, k: n, a: yb, b: dO, beta: beta, c: c)
                        } else {  // dX [m, k] = dO * op(Y)^T
                            sgemm(transB: !ty, m: m, n: k, k: n, a: dO, b: yb, beta: beta, c: c)
                        }
                    }
                }
                if let dy {
                    let r = dy.floats
                    let beta: Float = p.yShared ? 1 : 0
                    if p.yShared { r.update(repeating: 0, count: dy.count) }
                    for b in p.yOffsets.indices {
                        let dO = d + b * outMatrix
                        let xb = xs + p.xOffsets[b]
                        let c = r + p.yOffsets[b]
                        if ty {  // dY [n, k] = dO^T * op(X)
                            sgemm(transA: true, transB: tx, m: n, n: k, k: m, a: dO, b: xb, beta: beta, c: c)
                        } else {  // dY [k, n] = op(X)^T * dO
                            sgemm(transA: !tx, m: k, n: n, k: m, a: xb, b: dO, beta: beta, c: c)
                        }
                    }
                }
            }
        })
}
