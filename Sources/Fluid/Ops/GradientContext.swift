/// Emits the grad ops of one forward op.
public typealias GradientRule = @Sendable (GradientContext) -> [OpDesc]

/// What a gradient rule sees: the forward op, and which of its inputs need a gradient.
public struct GradientContext {
    public let op: OpDesc
    private let needsGradient: (String) -> Bool

    public init(op: OpDesc, needsGradient: @escaping (String) -> Bool) {
        self.op = op
        self.needsGradient = needsGradient
    }

    /// Forward input names in `slot`.
    public func input(_ slot: String) -> [String] { op.input(slot) }
    /// Forward output names in `slot`.
    public func output(_ slot: String) -> [String] { op.output(slot) }
    /// Gradient names of the forward outputs in `slot`.
    public func outputGrad(_ slot: String) -> [String] { op.output(slot).map(gradName) }

    /// Gradient names of the forward inputs in `slot`: `@EMPTY@` for an input that needs none,
    /// and an empty list when none of them does (Paddle's convention).
    public func inputGrad(_ slot: String) -> [String] {
        let names = op.input(slot)
        guard names.contains(where: needsGradient) else { return [] }
        return names.map { needsGradient($0) ? gradName($0) : emptyVarName }
    }

    /// A grad op with the forward op's attributes (unless given) and the backward role.
    public func gradOp(
        _ type: String, inputs: [String: [String]], outputs: [String: [String]],
        attributes: [String: Attribute]? = nil
    ) -> OpDesc {
        var g = OpDesc(type: type, inputs: inputs, outputs: outputs, attributes: attributes ?? op.attributes)
        g.role = .backward
        return g
    }
}
