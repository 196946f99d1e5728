import CFluidSupport

/// `pool2d` and `pool2d_grad`, NCHW float32, with Paddle's attributes: `pooling_type` "max"
/// or "avg" and `ksize` (both required, as in Paddle), strides, paddings (2 or 4 values),
/// `padding_algorithm`, `global_pooling`, `ceil_mode`, `exclusive` (an average counts only
/// the input elements of a window), `adaptive` (ksize is the output size). Windows and divisors
/// are described in `Pool2DGeometry`.
///
/// Kernels are direct loops over one channel plane at a time, planes split over cores. The
/// max gradient goes to the first position of each window holding the maximum, as in Paddle.
enum PoolOps {
    static let attributes: [AttributeSpec] = [
        AttributeSpec("strides", .ints([1, 1])),
        AttributeSpec("paddings", .ints([0, 0])),
        AttributeSpec("padding_algorithm", .string("EXPLICIT")),
        AttributeSpec("global_pooling", .bool(false)),
        AttributeSpec("ceil_mode", .bool(false)),
        AttributeSpec("exclusive", .bool(true)),
        AttributeSpec("adaptive", .bool(false)),
        AttributeSpec("data_format", .string("NCHW")),
        // Read by Paddle's GPU and oneDNN kernels only.
        AttributeSpec("use_cudnn", .bool(false)),
        AttributeSpec("use_mkldnn", .bool(false)),
        AttributeSpec("is_test", .bool(false)),
    ]

    static let pool2d = OpDefinition(
        OpSchema("pool2d", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")], attributes: attributes),
        inferShape: { ctx in
            let g = try Pool2DGeometry(op: ctx.op, input: try ctx.input("X", dtype: .float32))
            ctx.setOutput("Out", TensorMeta(.float32, g.outputShape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let state = PoolKernelState(ctx.op)
            return {
                let w = try state.windows(x)
                guard out.count == w.g.batch * w.g.channels * w.g.outputPlane else {
                    throw ctx.error("Out has shape \(out.shape), expected \(w.g.outputShape)")
                }
                forward(w, x: x.floats, out: out.floats)
            }
        },
        gradient: { g in
            let dx = g.inputGrad("X")
            if dx.isEmpty { return [] }
            return [
                g.gradOp(
                    "pool2d_grad",
                    inputs: ["X": g.input("X"), "Out": g.output("Out"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): dx])
            ]
        })

    static let pool2dGrad = OpDefinition(
        OpSchema(
            "pool2d_grad", inputs: [SlotSpec("X"), SlotSpec("Out"), SlotSpec(gradName("Out"))],
            outputs: [.optional(gradName("X"))], attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            let pooled = TensorMeta(.float32, try Pool2DGeometry(op: ctx.op, input: x).outputShape)
            for slot in ["Out", gradName("Out")] {
                _ = try ctx.input(slot, dtype: .float32, shapeOf: pooled, in: "pooled X")
            }
            ctx.setOutput(gradName("X"), x)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.input("Out")
            let dOut = try ctx.input(gradName("Out"))
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            let state = PoolKernelState(ctx.op)
            return {
                let w = try state.windows(x)
                let g = w.g
                let outputCount = g.batch * g.channels * g.outputPlane
                guard out.count == outputCount, dOut.count == outputCount, out.dtype == .float32, dOut.dtype == .float32
                else {
                    throw ctx.error(
                        "Out \(out.dtype)\(out.shape) and Out@GRAD \(dOut.dtype)\(dOut.shape) should both be float32\(g.outputShape), the pooled shape of X \(x.shape)"
                    )
                }
                backward(w, x: x.floats, out: out.floats, dOut: dOut.floats, dx: dx.floats)
            }
        })

    static let definitions = [pool2d, pool2dGrad]

    // MARK: Kernels

    /// Runs `body` on every channel plane, in a few contiguous chunks per core.
    @inline(__always)
    private static func forEachPlane(_ g: Pool2DGeometry, _ body: (Int) -> Void) {
        let planes = g.batch * g.channels
        let chunks = min(planes, 4 * coreCount)
        parallelFor(chunks, work: planes * g.outputPlane * g.kernelH * g.kernelW) { j in
            for p in (j * planes / chunks)..<((j + 1) * planes / chunks) { body(p) }
        }
    }

    static func forward(_ w: Pool2DWindows, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let g = w.g
        forEachPlane(g) { p in
            let src = x + p * g.inputPlane
            let dst = out + p * g.outputPlane
            if g.isMax && w.tiles2x2 {
                fluid_max_pool2x2(src, g.width, g.outHeight, g.outWidth, dst)
            } else if g.isMax {
                maxPlane(w, src, dst)
            } else {
                averagePlane(w, src, dst)
            }
        }
    }

    static func backward(
        _ w: Pool2DWindows, x: UnsafePointer<Float>, out: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        let g = w.g
        forEachPlane(g) { p in
            let gradIn = dx + p * g.inputPlane
            if g.isMax && w.tiles2x2 {
                fluid_max_pool2x2_grad(
                    x + p * g.inputPlane, out + p * g.outputPlane, dOut + p * g.outputPlane, g.height, g.width,
                    g.outHeight, g.outWidth, gradIn)
                return
            }
            gradIn.update(repeating: 0, count: g.inputPlane)
            if g.isMax {
                maxGradPlane(w, x + p * g.inputPlane, out + p * g.outputPlane, dOut + p * g.outputPlane, gradIn)
            } else {
                averageGradPlane(w, dOut + p * g.outputPlane, gradIn)
            }
        }
    }

    private static func maxPlane(_ w: Pool2DWindows, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let (width, outWidth) = (w.g.width, w.g.outWidth)
        let (rowStart, rowEnd, colStart, colEnd) = (w.rowStart, w.rowEnd, w.colStart, w.colEnd)
        for oy in 0..<w.g.outHeight {
            for ox in 0..<outWidth {
                // Paddle starts from -FLT_MAX, so a window over padding only yields it.
                var m = -Float.greatestFiniteMagnitude
                for y in rowStart[oy]..<rowEnd[oy] {
                    let row = x + y * width
                    for i in colStart[ox]..<colEnd[ox] { m = row[i] > m ? row[i] : m }
                }
                out[oy * outWidth + ox] = m
            }
        }
    }

    private static func averagePlane(_ w: Pool2DWindows, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>)
    {
        let (width, outWidth) = (w.g.width, w.g.outWidth)
        let (rowStart, rowEnd, colStart, colEnd) = (w.rowStart, w.rowEnd, w.colStart, w.colEnd)
        for oy in 0..<w.g.outHeight {
            for ox in 0..<outWidth {
                var sum: Float = 0
                for y in rowStart[oy]..<rowEnd[oy] {
                    let row = x + y * width
                    for i in colStart[ox]..<colEnd[ox] { sum += row[i] }
                }
                let o = oy * outWidth + ox
                let d = w.divisor[o]
                out[o] = d > 0 ? sum / d : 0
            }
        }
    }

    private static func maxGradPlane(
        _ w: Pool2DWindows, _ x: UnsafePointer<Float>, _ out: UnsafePointer<Float>,
        _ dOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>
    ) {
        let (width, outWidth) = (w.g.width, w.g.outWidth)
        let (rowStart, rowEnd, colStart, colEnd) = (w.rowStart, w.rowEnd, w.colStart, w.colEnd)
        for oy in 0..<w.g.outHeight {
            for ox in 0..<outWidth {
                // The first position holding the maximum: scanning backwards with a select
                // (no data-dependent branch) leaves the first match in `first`.
                let o = oy * outWidth + ox
                let m = out[o]
                let (top, left, right) = (rowStart[oy], colStart[ox], colEnd[ox])
                var first = -1
                var y = rowEnd[oy] - 1
                while y >= top {
                    var i = right - 1
                    while i >= left {
                        let at = y * width + i
                        first = x[at] == m ? at : first
                        i -= 1
                    }
                    y -= 1
                }
                if first >= 0 { dx[first] += dOut[o] }
            }
        }
    }

    private static func averageGradPlane(
        _ w: Pool2DWindows, _ dOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>
    ) {
        let (width, outWidth) = (w.g.width, w.g.outWidth)
        let (rowStart, rowEnd, colStart, colEnd) = (w.rowStart, w.rowEnd, w.colStart, w.colEnd)
        for oy in 0..<w.g.outHeight {
            for ox in 0..<outWidth {
                // As Paddle: the gradient times 1 / divisor.
                let o = oy * outWidth + ox
                let d = w.divisor[o]
                if d == 0 { continue }
                let share = dOut[o] * (1 / d)
                for y in rowStart[oy]..<rowEnd[oy] {
                    let row = dx + y * width
                    for i in colStart[ox]..<colEnd[ox] { row[i] += share }
                }
            }
        }
    }
}

/// The geometry and window table a bound pool kernel uses, built on its first step and again
/// only if X's shape changes.
final class PoolKernelState {
    private let op: OpDesc
    private var current: (shape: [Int], windows: Pool2DWindows)?

    init(_ op: OpDesc) { self.op = op }

    func windows(_ x: Tensor) throws -> Pool2DWindows {
        if let current, current.shape == x.shape { return current.windows }
        let w = Pool2DWindows(try Pool2DGeometry(op: op, input: TensorMeta(x.dtype, x.shape)))
        current = (x.shape, w)
        return w
    }
}
