/// `fused_conv2d` and its gradient: conv2d, its bias add and its relu as one op, what
/// `ConvBiasActivationFuse` makes of `conv2d` + `elementwise_add` (+ `relu`).
///
/// Paddle's `fused_conv2d` slots and attributes: Input [N, C, H, W], Filter [M, C / groups, kh,
/// kw], Bias [M] (optional), ResidualData (refused), Output [N, M, Ho, Wo]; conv2d's attributes
/// plus `fuse_activation` ("" or "relu"), `fuse_alpha`, `fuse_beta`, `fuse_residual_connection`
/// and `force_fp32_output` (their defaults only).
/// Output = act(conv2d(Input, Filter) + Bias[m] on every channel m).
///
/// The kernel adds the bias and applies the relu to each block of output while the GEMM has
/// just left it in cache (ConvWorkspace), instead of two more passes over memory.
///
/// `fused_conv2d_grad` (SwiftFluid's; Paddle trains with the unfused ops) takes Input, Filter,
/// Output and Output@GRAD: with D = Output@GRAD * (Output > 0) for relu (else Output@GRAD),
/// Bias@GRAD[m] = sum of D over samples and positions of channel m, and Input@GRAD,
/// Filter@GRAD are conv2d_grad's with D, which is masked and summed in the pass that stages it
/// for the GEMMs.
enum FusedConvOps {
    /// Activations the kernel applies.
    enum Activation: String {
        case none = ""
        case relu
    }

    static let attributes =
        ConvOps.attributes + [
            AttributeSpec("fuse_activation", .string("")),
            AttributeSpec.onlyDefault(
                "fuse_alpha", .float(0), "SwiftFluid's fused_conv2d has no parametric activation"),
            AttributeSpec.onlyDefault("fuse_beta", .float(0), "SwiftFluid's fused_conv2d has no parametric activation"),
            AttributeSpec.onlyDefault(
                "fuse_residual_connection", .bool(false), "SwiftFluid's fused_conv2d adds no residual"),
            AttributeSpec.onlyDefault("force_fp32_output", .bool(false), "SwiftFluid computes in float32 only"),
        ]

    /// The activation named by the op, or an error naming the attribute.
    static func activation(_ op: OpDesc) throws -> Activation {
        let name = try op.string("fuse_activation")
        guard let a = Activation(rawValue: name) else {
            throw FluidError.attribute(
                op: op.type, name: "fuse_activation",
                message: "is \"\(name)\", but SwiftFluid's fused_conv2d applies only \"\" or \"relu\"")
        }
        return a
    }

    /// Checks Bias, when present, against the geometry: one value per output channel.
    static func checkBias(_ ctx: inout ShapeContext, _ g: Conv2DGeometry) throws {
        guard ctx.has("Bias") else { return }
        let bias = try ctx.input("Bias", dtype: .float32)
        guard bias.rank == 1, dimsAgree(bias.shape[0], g.outChannels) else {
            throw ctx.error("Bias", "Bias \(bias.shape) must be [\(g.outChannels)], one value per filter")
        }
    }

    static let fusedConv2d = OpDefinition(
        OpSchema(
            "fused_conv2d",
            inputs: [
                SlotSpec("Input"), SlotSpec("Filter"), .optional("Bias"),
                .unsupported("ResidualData", "SwiftFluid's fused_conv2d adds no residual"),
            ],
            outputs: [SlotSpec("Output")], attributes: attributes),
        inferShape: { ctx in
            _ = try activation(ctx.op)
            let g = try Conv2DGeometry(
                op: ctx.op, input: try ctx.input("Input", dtype: .float32),
                filter: try ctx.input("Filter", dtype: .float32))
            try checkBias(&ctx, g)
            ctx.setOutput("Output", TensorMeta(.float32, g.outputShape))
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let bias = ctx.inputIfPresent("Bias")
            let out = try ctx.output("Output")
            let relu = try activation(ctx.op) == .relu
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard out.count == work.outputCount else {
                    throw ctx.error("Output has shape \(out.shape), expected \(work.g.outputShape)")
                }
                if let bias, bias.count != work.g.outChannels {
                    throw ctx.error("Bias has \(bias.count) elements, expected \(work.g.outChannels)")
                }
                work.forward(
                    x: x.floats, w: w.floats, out: out.floats, bias: bias.map { UnsafePointer($0.floats) }, relu: relu)
            }
        },
        gradient: { g in
            let dInput = g.inputGrad("Input")
            let dFilter = g.inputGrad("Filter")
            let dBias = g.inputGrad("Bias")
            if dInput.isEmpty && dFilter.isEmpty && dBias.isEmpty { return [] }
            return [
                g.gradOp(
                    "fused_conv2d_grad",
                    inputs: [
                        "Input": g.input("Input"), "Filter": g.input("Filter"), "Bias": g.input("Bias"),
                        "Output": g.output("Output"), gradName("Output"): g.outputGrad("Output"),
                    ],
                    outputs: [gradName("Input"): dInput, gradName("Filter"): dFilter, gradName("Bias"): dBias])
            ]
        })

    static let fusedConv2dGrad = OpDefinition(
        OpSchema(
            "fused_conv2d_grad",
            inputs: [
                SlotSpec("Input"), SlotSpec("Filter"), .optional("Bias"), SlotSpec("Output"),
                SlotSpec(gradName("Output")),
            ],
            outputs: [.optional(gradName("Input")), .optional(gradName("Filter")), .optional(gradName("Bias"))],
            attributes: attributes),
        inferShape: { ctx in
            _ = try activation(ctx.op)
            let input = try ctx.input("Input", dtype: .float32)
            let filter = try ctx.input("Filter", dtype: .float32)
            let g = try Conv2DGeometry(op: ctx.op, input: input, filter: filter)
            try checkBias(&ctx, g)
            let output = TensorMeta(.float32, g.outputShape)
            _ = try ctx.input("Output", dtype: .float32, shapeOf: output, in: "Output")
            _ = try ctx.input(gradName("Output"), dtype: .float32, shapeOf: output, in: "Output")
            ctx.setOutput(gradName("Input"), input)
            ctx.setOutput(gradName("Filter"), filter)
            ctx.setOutput(gradName("Bias"), TensorMeta(.float32, [g.outChannels]))
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let out = try ctx.input("Output")
            let dOut = try ctx.input(gradName("Output"))
            let dx = ctx.outputIfPresent(gradName("Input"))
            let dw = ctx.outputIfPresent(gradName("Filter"))
            let dBias = ctx.outputIfPresent(gradName("Bias"))
            let relu = try activation(ctx.op) == .relu
            if dx == nil && dw == nil && dBias == nil { return {} }
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard dOut.count == work.outputCount, out.count == work.outputCount else {
                    throw ctx.error(
                        "Output \(out.shape) and Output@GRAD \(dOut.shape) must both have shape \(work.g.outputShape)")
                }
                work.backward(
                    x: x.floats, w: w.floats, dOut: dOut.floats, dx: dx?.floats, dw: dw?.floats,
                    reluOutput: relu ? UnsafePointer(out.floats) : nil, dBias: dBias?.floats)
            }
        })

    static let definitions = [fusedConv2d, fusedConv2dGrad]
}
