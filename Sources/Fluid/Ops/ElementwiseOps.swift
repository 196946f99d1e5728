/// `elementwise_add`, `_sub`, `_mul`, `_div`, `_max`, `_min` and their grads.
///
/// X, Y -> Out, attribute `axis` (-1): Y broadcasts against X by Paddle's rule (see
/// `PaddleBroadcast`): [N, C, H, W] + [C] at axis 1 is the bias add of conv2d, [N, 10] + [10]
/// that of fc. X may also be the smaller operand, as in Paddle 2.x.
///
/// Grads take X, Y, Out@GRAD (div also Out, since dY = -dOut * Out / Y) and give X@GRAD and
/// Y@GRAD, each summed over the dims along which its operand was broadcast.
enum ElementwiseOps {
    enum Add: BinaryFloatFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
    enum Sub: BinaryFloatFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
    enum Mul: BinaryFloatFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
    enum Div: BinaryFloatFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
    enum Max: BinaryFloatFunction {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? a : b }
    }
    enum Min: BinaryFloatFunction {
        @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? a : b }
    }

    /// d(x - y)/dy = -1.
    enum NegatedGradient: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { -dout }
    }
    /// d(x * y)/dx = y.
    enum TimesY: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { dout * y }
    }
    /// d(x * y)/dy = x.
    enum TimesX: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { dout * x }
    }
    /// d(x / y)/dx = 1 / y.
    enum OverY: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { dout / y }
    }
    /// d(x / y)/dy = -x / y^2 = -out / y.
    enum QuotientOverY: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { -dout * out / y }
    }

    /// Max and min route dOut to the operand they picked; ties go to Y, as in Paddle.
    enum WhereXAbove: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { x > y ? dout : 0 }
    }
    enum WhereXNotAbove: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { x > y ? 0 : dout }
    }
    enum WhereXBelow: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { x < y ? dout : 0 }
    }
    enum WhereXNotBelow: ElementwiseGradientTerm {
        @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { x < y ? 0 : dout }
    }

    private static let axisAttribute = AttributeSpec("axis", .int(-1))

    /// Out's shape and the broadcast layout of X and Y over it, per shapes of X and Y.
    private static func layouts(_ ctx: KernelContext) throws -> ShapeKeyedCache<(out: [Int], layout: BroadcastLayout)> {
        let type = ctx.op.type
        let axis = try ctx.op.int("axis")
        return ShapeKeyedCache { x, y in
            let s = try PaddleBroadcast.shapes(op: type, x: x, y: y, axis: axis)
            return (s.out, BroadcastLayout(full: s.out, a: s.x, b: s.y))
        }
    }

    private static func forward<F: BinaryFloatFunction>(_ type: String, _ f: F.Type, gradientReadsOut: Bool)
        -> OpDefinition
    {
        OpDefinition(
            OpSchema(
                type, inputs: [SlotSpec("X"), SlotSpec("Y")], outputs: [SlotSpec("Out")], attributes: [axisAttribute]),
            inferShape: { ctx in
                let x = try ctx.input("X", dtype: .float32)
                let y = try ctx.input("Y", dtype: .float32)
                let s = try PaddleBroadcast.shapes(op: type, x: x.shape, y: y.shape, axis: try ctx.op.int("axis"))
                ctx.setOutput("Out", TensorMeta(x.dtype, s.out))
            },
            kernel: { ctx in
                let x = try ctx.input("X")
                let y = try ctx.input("Y")
                let out = try ctx.output("Out")
                let layouts = try layouts(ctx)
                return {
                    let (shape, layout) = try layouts.value(x, y)
                    try MathOpSupport.requireShape(type, "Out", out, shape)
                    layout.map(f, a: x.floats, b: y.floats, into: out.floats)
                }
            },
            gradient: { g in
                var inputs = ["X": g.input("X"), "Y": g.input("Y"), gradName("Out"): g.outputGrad("Out")]
                if gradientReadsOut { inputs["Out"] = g.output("Out") }
                return [
                    g.gradOp(
                        type + "_grad", inputs: inputs,
                        outputs: [gradName("X"): g.inputGrad("X"), gradName("Y"): g.inputGrad("Y")])
                ]
            })
    }

    private static func backward<GX: ElementwiseGradientTerm, GY: ElementwiseGradientTerm>(
        _ type: String, dx: GX.Type, dy: GY.Type, readsOut: Bool
    ) -> OpDefinition {
        let inputs = [SlotSpec("X"), SlotSpec("Y")] + (readsOut ? [SlotSpec("Out")] : []) + [SlotSpec(gradName("Out"))]
        return OpDefinition(
            OpSchema(
                type, inputs: inputs, outputs: [.optional(gradName("X")), .optional(gradName("Y"))],
                attributes: [axisAttribute]),
            inferShape: { ctx in
                let x = try ctx.input("X", dtype: .float32)
                let y = try ctx.input("Y", dtype: .float32)
                let s = try PaddleBroadcast.shapes(op: type, x: x.shape, y: y.shape, axis: try ctx.op.int("axis"))
                let out = TensorMeta(.float32, s.out)
                _ = try ctx.input(gradName("Out"), dtype: .float32, shapeOf: out, in: "Out (X and Y broadcast)")
                if readsOut { _ = try ctx.input("Out", dtype: .float32, shapeOf: out, in: "X and Y broadcast") }
                ctx.setOutput(gradName("X"), x)
                ctx.setOutput(gradName("Y"), y)
            },
            kernel: { ctx in
                let x = try ctx.input("X")
                let y = try ctx.input("Y")
                let dout = try ctx.input(gradName("Out"))
                let out = readsOut ? try ctx.input("Out") : dout
                let dx = ctx.outputIfPresent(gradName("X"))
                let dy = ctx.outputIfPresent(gradName("Y"))
                let layouts = try layouts(ctx)
                return {
                    let (shape, layout) = try layouts.value(x, y)
                    try MathOpSupport.requireShape(type, gradName("Out"), dout, shape)
                    try MathOpSupport.requireShape(type, "Out", out, shape)
                    let d = dout.floats
                    let o = out.floats
                    let xs = x.floats
                    let ys = y.floats
                    if let dx {
                        layout.accumulate(GX.self, intoA: true, dout: d, out: o, x: xs, y: ys, into: dx.floats)
                    }
                    if let dy {
                        layout.accumulate(GY.self, intoA: false, dout: d, out: o, x: xs, y: ys, into: dy.floats)
                    }
                }
            })
    }

    static let add = forward("elementwise_add", Add.self, gradientReadsOut: false)
    static let addGrad = backward("elementwise_add_grad", dx: PassGradient.self, dy: PassGradient.self, readsOut: false)
    static let sub = forward("elementwise_sub", Sub.self, gradientReadsOut: false)
    static let subGrad = backward(
        "elementwise_sub_grad", dx: PassGradient.self, dy: NegatedGradient.self, readsOut: false)
    static let mul = forward("elementwise_mul", Mul.self, gradientReadsOut: false)
    static let mulGrad = backward("elementwise_mul_grad", dx: TimesY.self, dy: TimesX.self, readsOut: false)
    static let div = forward("elementwise_div", Div.self, gradientReadsOut: true)
    static let divGrad = backward("elementwise_div_grad", dx: OverY.self, dy: QuotientOverY.self, readsOut: true)

    static let maximum = forward("elementwise_max", Max.self, gradientReadsOut: false)
    static let maximumGrad = backward(
        "elementwise_max_grad", dx: WhereXAbove.self, dy: WhereXNotAbove.self, readsOut: false)
    static let minimum = forward("elementwise_min", Min.self, gradientReadsOut: false)
    static let minimumGrad = backward(
        "elementwise_min_grad", dx: WhereXBelow.self, dy: WhereXNotBelow.self, readsOut: false)

    static let definitions = [
        add, addGrad, sub, subGrad, mul, mulGrad, div, divGrad, maximum, maximumGrad, minimum, minimumGrad,
    ]
}
