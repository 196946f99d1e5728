/// Everything about one op type in one place: schema, shape inference, kernel factory and
/// gradient rule. Each op family's file defines its ops as `OpDefinition` values and lists
/// them for `OpRegistry`.
///
/// ```swift
/// static let relu = OpDefinition(
///     OpSchema("relu", inputs: [.init("X")], outputs: [.init("Out")]),
///     inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X")) },
///     kernel: { ctx in ... return { ... } },
///     gradient: { g in [g.gradOp("relu_grad", inputs: ["Out": g.output("Out"), "Out@GRAD": g.outputGrad("Out")],
///                                outputs: ["X@GRAD": g.inputGrad("X")])] })
/// ```
public struct OpDefinition: Sendable {
    public typealias ShapeRule = @Sendable (inout ShapeContext) throws -> Void
    public typealias KernelFactory = @Sendable (KernelContext) throws -> Kernel

    public let schema: OpSchema
    public let inferShape: ShapeRule
    public let makeKernel: KernelFactory
    /// Emits the grad ops of a forward op; nil for ops without a gradient.
    public let gradient: GradientRule?

    public init(
        _ schema: OpSchema, inferShape: @escaping ShapeRule, kernel: @escaping KernelFactory,
        gradient: GradientRule? = nil
    ) {
        self.schema = schema
        // Every op's outputs are bounded here, once, so no rule can hand the plan compiler
        // a shape whose allocation fails or whose element count overflows.
        self.inferShape = { ctx in
            try inferShape(&ctx)
            try ctx.checkOutputSizes()
        }
        self.makeKernel = kernel
        self.gradient = gradient
    }

    public var type: String { schema.type }
}
