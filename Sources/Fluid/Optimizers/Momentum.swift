/// Momentum SGD: velocity = mu * velocity + grad; param -= lr * velocity, or with Nesterov
/// param -= lr * (grad + mu * velocity). Velocity is `PARAM_velocity_0`.
public struct Momentum: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var useNesterov: Bool
    public var regularization: WeightDecay?
    public var gradientClip: GradientClip?
    public var schedule: LearningRateSchedule?

    public init(
        learningRate: Float, momentum: Float = 0.9, useNesterov: Bool = false, regularization: WeightDecay? = nil,
        gradientClip: GradientClip? = nil, schedule: LearningRateSchedule? = nil
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.useNesterov = useNesterov
        self.regularization = regularization
        self.gradientClip = gradientClip
        self.schedule = schedule
    }

    public func appendUpdate(_ pg: ParameterGradient, context: OptimizerContext) throws {
        let v = try context.accumulator("velocity", of: pg.parameter)
        try context.append(
            OpDesc(
                type: "momentum",
                inputs: [
                    "Param": [pg.parameter], "Grad": [pg.gradient], "Velocity": [v],
                    "LearningRate": [context.learningRateName],
                ],
                outputs: ["ParamOut": [pg.parameter], "VelocityOut": [v]],
                attributes: ["mu": .float(momentum), "use_nesterov": .bool(useNesterov)]))
    }
}
