/// Gradient-clipping ops: `clip` (elementwise into [min, max]), `clip_by_norm` (scaled so the
/// L2 norm is at most max_norm) and `squared_l2_norm` (sum of squares, shape [1]).
enum ClipOps {
    static let boundsAsAttributes = "bounds given as tensors are not implemented; give the min and max attributes"

    static let clip = OpDefinition(
        OpSchema(
            "clip",
            inputs: [
                SlotSpec("X"), .unsupported("Min", ClipOps.boundsAsAttributes),
                .unsupported("Max", ClipOps.boundsAsAttributes),
            ],
            outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("min", .float(-Float.greatestFiniteMagnitude)),
                AttributeSpec("max", .float(Float.greatestFiniteMagnitude)),
            ]),
        inferShape: { ctx in
            ctx.setOutput("Out", try ctx.input("X", dtype: .float32))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let lo = try ctx.op.float("min")
            let hi = try ctx.op.float("max")
            guard lo <= hi else { throw ctx.error("min \(lo) exceeds max \(hi)") }
            return {
                let src = x.floats
                let dst = out.floats
                for i in 0..<x.count { dst[i] = min(max(src[i], lo), hi) }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "clip_grad", inputs: ["X": g.input("X"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    /// Passes the gradient where the input lay strictly inside [min, max].
    static let clipGrad = OpDefinition(
        OpSchema(
            "clip_grad", inputs: [SlotSpec("X"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))],
            attributes: clip.schema.attributes),
        inferShape: { ctx in ctx.setOutput(gradName("X"), try sameShape(ctx, "X", gradName("Out"))) },
        kernel: { ctx in
            let x = try ctx.input("X")
            let dout = try ctx.input(gradName("Out"))
            let lo = try ctx.op.float("min")
            let hi = try ctx.op.float("max")
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            return {
                let src = x.floats
                let d = dout.floats
                let o = dx.floats
                for i in 0..<x.count { o[i] = src[i] > lo && src[i] < hi ? d[i] : 0 }
            }
        })

    static let clipByNorm = OpDefinition(
        OpSchema(
            "clip_by_norm", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [AttributeSpec("max_norm", .float(1))]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X", dtype: .float32)) },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let maxNorm = try ctx.op.float("max_norm")
            return {
                let src = x.floats
                let dst = out.floats
                let n = x.count
                var sum: Float = 0
                for i in 0..<n { sum += src[i] * src[i] }
                let norm = sum.squareRoot()
                let factor = norm > maxNorm ? maxNorm / norm : 1
                for i in 0..<n { dst[i] = src[i] * factor }
            }
        })

    static let squaredL2Norm = OpDefinition(
        OpSchema("squared_l2_norm", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", TensorMeta(try ctx.input("X", dtype: .float32).dtype, [1])) },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            return {
                let src = x.floats
                var sum: Float = 0
                for i in 0..<x.count { sum += src[i] * src[i] }
                out.floats[0] = sum
            }
        })

    static let definitions = [clip, clipGrad, clipByNorm, squaredL2Norm]
}
