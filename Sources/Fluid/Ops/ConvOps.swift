/// `conv2d` and `conv2d_grad`, NCHW float32, as Paddle defines them: Input [N, C, H, W],
/// Filter [M, C / groups, kh, kw], Output [N, M, Ho, Wo]; no bias (Paddle adds it with a
/// separate `elementwise_add`).
///
/// Kernels are im2col + GEMM per group (ConvWorkspace), the samples split over the cores.
enum ConvOps {
    static let attributes: [AttributeSpec] = [
        AttributeSpec("strides", .ints([1, 1])),
        AttributeSpec("paddings", .ints([0, 0])),
        AttributeSpec("padding_algorithm", .string("EXPLICIT")),
        AttributeSpec("dilations", .ints([1, 1])),
        AttributeSpec("groups", .int(1)),
        AttributeSpec("data_format", .string("NCHW")),
        // Read by Paddle's GPU and oneDNN kernels only.
        AttributeSpec("use_cudnn", .bool(false)),
        AttributeSpec("use_mkldnn", .bool(false)),
        AttributeSpec("exhaustive_search", .bool(false)),
        AttributeSpec("workspace_size_MB", .int(512)),
        AttributeSpec("is_test", .bool(false)),
    ]

    static let conv2d = OpDefinition(
        OpSchema(
            "conv2d", inputs: [SlotSpec("Input"), SlotSpec("Filter")], outputs: [SlotSpec("Output")],
            attributes: attributes),
        inferShape: { ctx in
            let g = try Conv2DGeometry(
                op: ctx.op, input: try ctx.input("Input", dtype: .float32),
                filter: try ctx.input("Filter", dtype: .float32))
            ctx.setOutput("Output", TensorMeta(.float32, g.outputShape))
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let out = try ctx.output("Output")
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard out.count == work.outputCount else {
                    throw ctx.error("Output has shape \(out.shape), expected \(work.g.outputShape)")
                }
                work.forward(x: x.floats, w: w.floats, out: out.floats)
            }
        },
        gradient: { g in
            let dInput = g.inputGrad("Input")
            let dFilter = g.inputGrad("Filter")
            if dInput.isEmpty && dFilter.isEmpty { return [] }
            return [
                g.gradOp(
                    "conv2d_grad",
                    inputs: [
                        "Input": g.input("Input"), "Filter": g.input("Filter"),
                        gradName("Output"): g.outputGrad("Output"),
                    ],
                    outputs: [gradName("Input"): dInput, gradName("Filter"): dFilter])
            ]
        })

    static let conv2dGrad = OpDefinition(
        OpSchema(
            "conv2d_grad", inputs: [SlotSpec("Input"), SlotSpec("Filter"), SlotSpec(gradName("Output"))],
            outputs: [.optional(gradName("Input")), .optional(gradName("Filter"))], attributes: attributes),
        inferShape: { ctx in
            let input = try ctx.input("Input", dtype: .float32)
            let filter = try ctx.input("Filter", dtype: .float32)
            let g = try Conv2DGeometry(op: ctx.op, input: input, filter: filter)
            _ = try ctx.input(
                gradName("Output"), dtype: .float32, shapeOf: TensorMeta(.float32, g.outputShape), in: "Output")
            ctx.setOutput(gradName("Input"), input)
            ctx.setOutput(gradName("Filter"), filter)
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let dOut = try ctx.input(gradName("Output"))
            let dx = ctx.outputIfPresent(gradName("Input"))
            let dw = ctx.outputIfPresent(gradName("Filter"))
            if dx == nil && dw == nil { return {} }
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard dOut.count == work.outputCount, dOut.dtype == .float32 else {
                    throw ctx.error(
                        "Output@GRAD has shape \(dOut.dtype)\(dOut.shape), expected float32\(work.g.outputShape)")
                }
                work.backward(x: x.floats, w: w.floats, dOut: dOut.floats, dx: dx?.floats, dw: dw?.floats)
            }
        })

    static let definitions = [conv2d, conv2dGrad]
}

/// What a bound conv2d or conv2d_grad kernel keeps between steps: its geometry and workspace,
/// built on the first step and rebuilt only if the operands' shapes change.
final class ConvKernelState {
    private let op: OpDesc
    private var current: ConvWorkspace?

    init(_ op: OpDesc) { self.op = op }

    func workspace(_ x: Tensor, _ w: Tensor) throws -> ConvWorkspace {
        if let current, current.inputShape == x.shape,
            current.filterShape == w.shape
        {
            return current
        }
        let g = try Conv2DGeometry(op: op, input: TensorMeta(x.dtype, x.shape), filter: TensorMeta(w.dtype, w.shape))
        let fresh = ConvWorkspace(g)
        current = fresh
        return fresh
    }
}
