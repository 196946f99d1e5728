/// Options of a layer's parameter, like Paddle's `ParamAttr`.
public struct ParamAttr: Sendable {
    /// Explicit name; by default the layer's (`fc_0.w_0`).
    public var name: String?
    /// Overrides the layer's default initializer.
    public var initializer: Initializer?
    /// False keeps the parameter fixed (no gradient, no update).
    public var trainable: Bool

    public init(name: String? = nil, initializer: Initializer? = nil, trainable: Bool = true) {
        self.name = name
        self.initializer = initializer
        self.trainable = trainable
    }
}
