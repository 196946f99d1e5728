import Foundation

/// `sqrt` (with `sqrt_grad`: dx = dout / (2 out)) and `sign` (no gradient).
enum UnaryMathOps {
    static let sqrt = OpDefinition(
        OpSchema("sqrt", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.float32Input("X")) },
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
                    "sqrt_grad", inputs: ["Out": g.output("Out"), "Out@GRAD": g.outputGrad("Out")],
                    outputs: ["X@GRAD": g.inputGrad("X")])
            ]
        })

    static let sqrtGrad = OpDefinition(
        OpSchema("sqrt_grad", inputs: [SlotSpec("Out"), SlotSpec("Out@GRAD")], outputs: [SlotSpec("X@GRAD")]),
        inferShape: { ctx in ctx.setOutput("X@GRAD", try sameShape(ctx, "Out", "Out@GRAD")) },
        kernel: { ctx in
            let out = try ctx.input("Out")
            let dout = try ctx.input("Out@GRAD")
            guard let dx = ctx.outputIfPresent("X@GRAD") else { return {} }
            return {
                let o = out.floats
                let d = dout.floats
                let r = dx.floats
                for i in 0..<out.count { r[i] = d[i] / (2 * o[i]) }
            }
        })

    static let sign = OpDefinition(
        OpSchema("sign", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.float32Input("X")) },
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
