import Foundation

/// Elementwise activations `relu`, `sigmoid`, `tanh` and their gradients.
/// Gradients read the forward output (Out), as Paddle's do: relu' = Out > 0,
/// sigmoid' = Out (1 - Out), tanh' = 1 - Out^2.
enum ActivationOps {
    private static func forward(
        _ type: String, _ f: @escaping @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> OpDefinition {
        OpDefinition(
            OpSchema(type, inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
            inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X", dtype: .float32)) },
            kernel: { ctx in
                let x = try ctx.input("X")
                let out = try ctx.output("Out")
                return { f(x.floats, out.floats, x.count) }
            },
            gradient: { g in
                [
                    g.gradOp(
                        type + "_grad", inputs: ["Out": g.output("Out"), gradName("Out"): g.outputGrad("Out")],
                        outputs: [gradName("X"): g.inputGrad("X")])
                ]
            })
    }

    private static func backward(
        _ type: String,
        _ f: @escaping @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> OpDefinition {
        OpDefinition(
            OpSchema(type, inputs: [SlotSpec("Out"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))]),
            inferShape: { ctx in ctx.setOutput(gradName("X"), try sameShape(ctx, "Out", gradName("Out"))) },
            kernel: { ctx in
                let out = try ctx.input("Out")
                let dout = try ctx.input(gradName("Out"))
                guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
                return { f(out.floats, dout.floats, dx.floats, out.count) }
            })
    }

    // relu runs on the largest activations of a CNN; written over SIMD16 so the comparison is a
    // mask rather than a branch (a branch per element mispredicts on half of them).
    static let relu = forward("relu") { x, y, n in
        let zero = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(
                of: v.replacing(with: 0, where: v .< zero), as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            y[i] = max(x[i], 0)
            i += 1
        }
    }
    static let reluGrad = backward("relu_grad") { out, dout, dx, n in
        let zero = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let o = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD16<Float>.self)
            let d = UnsafeRawPointer(dout + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dx + i).storeBytes(
                of: d.replacing(with: 0, where: o .<= zero), as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            dx[i] = out[i] > 0 ? dout[i] : 0
            i += 1
        }
    }
    static let sigmoid = forward("sigmoid") { x, y, n in
        VectorMath.map(VectorMath.Sigmoid.self, x, y, n)
    }
    static let sigmoidGrad = backward("sigmoid_grad") { out, dout, dx, n in
        for i in 0..<n { dx[i] = dout[i] * out[i] * (1 - out[i]) }
    }
    static let tanh = forward("tanh") { x, y, n in
        VectorMath.map(VectorMath.Tanh.self, x, y, n)
    }
    static let tanhGrad = backward("tanh_grad") { out, dout, dx, n in
        for i in 0..<n { dx[i] = dout[i] * (1 - out[i] * out[i]) }
    }

    static let definitions = [relu, reluGrad, sigmoid, sigmoidGrad, tanh, tanhGrad]
}
