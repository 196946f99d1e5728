import Foundation

/// `softmax` along any axis (X -> Out, attribute `axis`, default -1) and `softmax_grad`
/// (Out, Out@GRAD -> X@GRAD). X is viewed as [outer, axis, inner]; the maximum along the
/// axis is subtracted before exponentiating so large logits do not overflow.
/// Gradient: dx = out * (dout - sum(dout * out)) along the axis.
enum SoftmaxOps {
    static let attributes = [
        AttributeSpec("axis", .int(-1)),
        AttributeSpec("data_format", .string("AnyLayout")),
        AttributeSpec("is_test", .bool(false)),
        AttributeSpec("use_cudnn", .bool(false)),
    ]

    static let softmax = OpDefinition(
        OpSchema("softmax", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")], attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            _ = try ctx.normalizedAxis(try ctx.op.int("axis"), of: "X", x)
            ctx.setOutput("Out", x)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let axis = try ctx.op.int("axis")
            return { forward(x.floats, out.floats, NNSupport.AxisView(x.shape, signedAxis: axis)) }
        },
        gradient: { g in
            [
                g.gradOp(
                    "softmax_grad", inputs: ["Out": g.output("Out"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    static let softmaxGrad = OpDefinition(
        OpSchema(
            "softmax_grad", inputs: [SlotSpec("Out"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))],
            attributes: attributes),
        inferShape: { ctx in
            let out = try ctx.input("Out", dtype: .float32)
            let dout = try ctx.input(gradName("Out"), dtype: .float32)
            _ = try ctx.normalizedAxis(try ctx.op.int("axis"), of: "Out", out)
            try ctx.require(dout, of: gradName("Out"), shapeOf: out, in: "Out")
            ctx.setOutput(gradName("X"), out)
        },
        kernel: { ctx in
            let out = try ctx.input("Out")
            let dout = try ctx.input(gradName("Out"))
            let axis = try ctx.op.int("axis")
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            return { backward(out.floats, dout.floats, dx.floats, NNSupport.AxisView(out.shape, signedAxis: axis)) }
        })

    static let definitions = [softmax, softmaxGrad]

    /// Softmax of one row (`size` elements `stride` apart from `base`), stable by subtracting the
    /// row's maximum; returns that maximum and the sum of exponentials (for log-sum-exp).
    @inline(__always)
    static func softmaxRow(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        base: Int, size: Int, stride: Int
    ) -> (max: Float, sum: Float) {
        var m = -Float.infinity
        for k in 0..<size { m = max(m, x[base + k * stride]) }
        // Eight exponentials at a time (VectorMath), gathered and scattered along the stride.
        var sum: Float = 0
        var k = 0
        while k < size {
            let lanes = min(8, size - k)
            if lanes == 8 && stride == 1 {
                let e = VectorMath.exp(UnsafeRawPointer(x + base + k).loadUnaligned(as: VectorMath.Lanes.self) - m)
                UnsafeMutableRawPointer(out + base + k).storeBytes(of: e, as: VectorMath.Lanes.self)
                sum += e.sum()
            } else {
                var v = VectorMath.Lanes(repeating: -.infinity)
                for j in 0..<lanes { v[j] = x[base + (k + j) * stride] - m }
                let e = VectorMath.exp(v)
                for j in 0..<lanes {
                    out[base + (k + j) * stride] = e[j]
                    sum += e[j]
                }
            }
            k += lanes
        }
        let r = 1 / sum
        for k in 0..<size { out[base + k * stride] *= r }
        return (m, sum)
    }

    /// out = softmax(x) along the middle dimension of `v`.
    static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ v: NNSupport.AxisView) {
        let size = v.size
        let inner = v.inner
        NNSupport.forEachChunk(v.outer, workPerRow: size * inner * 8) { rows in
            for o in rows {
                for i in 0..<inner { _ = softmaxRow(x, out, base: o * size * inner + i, size: size, stride: inner) }
            }
        }
    }

    /// dx = out * (dout - sum(dout * out)) along the middle dimension of `v`.
    static func backward(
        _ out: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ v: NNSupport.AxisView
    ) {
        let size = v.size
        let inner = v.inner
        NNSupport.forEachChunk(v.outer, workPerRow: size * inner * 3) { rows in
            for o in rows {
                for i in 0..<inner {
                    let base = o * size * inner + i
                    var dot: Float = 0
                    for k in 0..<size { dot += dout[base + k * inner] * out[base + k * inner] }
                    for k in 0..<size {
                        let j = base + k * inner
                        dx[j] = out[j] * (dout[j] - dot)
                    }
                }
            }
        }
    }
}
