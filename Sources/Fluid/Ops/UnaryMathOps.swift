import Foundation

/// `sqrt` (with `sqrt_grad`: dx = dout / (2 out)) and `sign` (no gradient).
enum UnaryMathOps {
    static let sqrt = OpDefinition(
        OpSchema("sqrt", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X", dtype: .float32)) },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            return {
                let src = x.floats
                let dst = out.floats
                for i in 0..<x.count { dst[i] = src[i].squareRoot() }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "sqrt_grad", inputs: ["Out": g.output("Out"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    static let sqrtGrad = OpDefinition(
        OpSchema(
            "sqrt_grad", inputs: [SlotSpec("Out"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))]),
        inferShape: { ctx in ctx.setOutput(gradName("X"), try sameShape(ctx, "Out", gradName("Out"))) },
        kernel: { ctx in
            let out = try ctx.input("Out")
            let dout = try ctx.input(gradName("Out"))
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            return {
                let o = out.floats
                let d = dout.floats
                let r = dx.floats
                for i in 0..<out.count { r[i] = d[i] / (2 * o[i]) }
            }
        })

    static let sign = OpDefinition(
        OpSchema("sign", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X", dtype: .float32)) },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            return {
                let src = x.floats
                let dst = out.floats
                for i in 0..<x.count { dst[i] = src[i] > 0 ? 1 : (src[i] < 0 ? -1 : 0) }
            }
        })

    static let definitions = [sqrt, sqrtGrad, sign]
}
