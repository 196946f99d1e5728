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
            let g = try Pool2DGeometry(op: ctx.op, input: try ctx.input("X"))
            ctx.setOutput("Out", TensorMeta(.float32, g.outputShape))
        },
        kernel: { ctx in
            let x = try ctx.input("X"), out = try ctx.output("Out")
            let state = PoolKernelState(ctx.op)
            return { forward(try state.geometry(x), x: x.floats, out: out.floats) }
        },
        gradient: { g in
            let dx = g.inputGrad("X")
            if dx.isEmpty { return [] }
            return [g.gradOp("pool2d_grad", inputs: ["X": g.input("X"), "Out": g.output("Out"), "Out@GRAD": g.outputGrad("Out")],
                             outputs: ["X@GRAD": dx])]
        })

    static let pool2dGrad = OpDefinition(
        OpSchema("pool2d_grad", inputs: [SlotSpec("X"), SlotSpec("Out"), SlotSpec("Out@GRAD")],
                 outputs: [.optional("X@GRAD")], attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X"), dOut = try ctx.input("Out@GRAD")
            let expected = try Pool2DGeometry(op: ctx.op, input: x).outputShape
            for slot in ["Out", "Out@GRAD"] {
                let m = slot == "Out" ? try ctx.input("Out") : dOut
                guard m.rank == 4, zip(m.shape, expected).allSatisfy({ dimsAgree($0, $1) }) else {
                    throw ctx.error(slot, "has shape \(m.shape), but pooling X \(x.shape) gives \(expected)")
                }
            }
            ctx.setOutput("X@GRAD", x)
        },
        kernel: { ctx in
            let x = try ctx.input("X"), out = try ctx.input("Out"), dOut = try ctx.input("Out@GRAD")
            guard let dx = ctx.outputIfPresent("X@GRAD") else { return {} }
            let state = PoolKernelState(ctx.op)
            return {
                let g = try state.geometry(x)
                let outputCount = g.batch * g.channels * g.outputPlane
                guard out.count == outputCount, dOut.count == outputCount, out.dtype == .float32, dOut.dtype == .float32 else {
                    throw ctx.error("Out \(out.dtype)\(out.shape) and Out@GRAD \(dOut.dtype)\(dOut.shape) should both be float32\(g.outputShape), the pooled shape of X \(x.shape)")
                }
                backward(g, x: x.floats, out: out.floats, dOut: dOut.floats, dx: dx.floats)
            }
        })

    static let definitions = [pool2d, pool2dGrad]

    // MARK: Kernels

    static func forward(_ g: Pool2DGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let planes = g.batch * g.channels
        parallelFor(planes, work: planes * g.outputPlane * g.kernelH * g.kernelW) { p in
            let src = x + p * g.inputPlane, dst = out + p * g.outputPlane
            if g.isMax { maxPlane(g, src, dst) } else { averagePlane(g, src, dst) }
        }
    }

    static func backward(_ g: Pool2DGeometry, x: UnsafePointer<Float>, out: UnsafePointer<Float>,
                         dOut: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let planes = g.batch * g.channels
        parallelFor(planes, work: planes * g.outputPlane * g.kernelH * g.kernelW) { p in
            let gradIn = dx + p * g.inputPlane
            gradIn.update(repeating: 0, count: g.inputPlane)
            if g.isMax {
                maxGradPlane(g, x + p * g.inputPlane, out + p * g.outputPlane, dOut + p * g.outputPlane, gradIn)
            } else {
                averageGradPlane(g, dOut + p * g.outputPlane, gradIn)
            }
        }
    }

    private static func maxPlane(_ g: Pool2DGeometry, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outHeight {
            let r = g.rows(oy)
            for ox in 0..<g.outWidth {
                let c = g.columns(ox)
                // Paddle starts from -FLT_MAX, so a window over padding only yields it.
                var m = -Float.greatestFiniteMagnitude
                for y in r.start..<r.end {
                    let row = x + y * g.width
                    for i in c.start..<c.end where row[i] > m { m = row[i] }
                }
                out[oy * g.outWidth + ox] = m
            }
        }
    }

    private static func averagePlane(_ g: Pool2DGeometry, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outHeight {
            let r = g.rows(oy)
            for ox in 0..<g.outWidth {
                let c = g.columns(ox)
                var sum: Float = 0
                for y in r.start..<r.end {
                    let row = x + y * g.width
                    for i in c.start..<c.end { sum += row[i] }
                }
                let d = g.divisor(r, c)
                out[oy * g.outWidth + ox] = d > 0 ? sum / Float(d) : 0
            }
        }
    }

    private static func maxGradPlane(_ g: Pool2DGeometry, _ x: UnsafePointer<Float>, _ out: UnsafePointer<Float>,
                                     _ dOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outHeight {
            let r = g.rows(oy)
            for ox in 0..<g.outWidth {
                let c = g.columns(ox), o = oy * g.outWidth + ox
                let m = out[o]
                search: for y in r.start..<r.end {
                    for i in c.start..<c.end where x[y * g.width + i] == m {
                        dx[y * g.width + i] += dOut[o]
                        break search
                    }
                }
            }
        }
    }

    private static func averageGradPlane(_ g: Pool2DGeometry, _ dOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.outHeight {
            let r = g.rows(oy)
            for ox in 0..<g.outWidth {
                let c = g.columns(ox), d = g.divisor(r, c)
                if d == 0 { continue }
                let share = dOut[oy * g.outWidth + ox] * (1 / Float(d))
                for y in r.start..<r.end {
                    let row = dx + y * g.width
                    for i in c.start..<c.end { row[i] += share }
                }
            }
        }
    }
}

/// The geometry a bound pool kernel uses, decoded on its first step and again only if X's
/// shape changes (fed tensors get their shapes after the plan is bound).
final class PoolKernelState {
    private let op: OpDesc
    private var current: (shape: [Int], geometry: Pool2DGeometry)?

    init(_ op: OpDesc) { self.op = op }

    func geometry(_ x: Tensor) throws -> Pool2DGeometry {
        if let current, x.dtype == .float32, current.shape == x.shape { return current.geometry }
        let g = try Pool2DGeometry(op: op, input: TensorMeta(x.dtype, x.shape))
        current = (x.shape, g)
        return g
    }
}
