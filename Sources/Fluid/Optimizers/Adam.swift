/// Adam (Kingma and Ba), with Paddle's update and accumulator names
/// (`PARAM_moment1_0`, `PARAM_moment2_0`, `PARAM_beta1_pow_acc_0`, `PARAM_beta2_pow_acc_0`).
public struct Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var regularization: WeightDecay?
    public var gradientClip: GradientClip?
    public var schedule: LearningRateSchedule?

    public init(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        regularization: WeightDecay? = nil, gradientClip: GradientClip? = nil, schedule: LearningRateSchedule? = nil
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.regularization = regularization
        self.gradientClip = gradientClip
        self.schedule = schedule
    }

    public func appendUpdate(_ pg: ParameterGradient, context: OptimizerContext) throws {
        let p = pg.parameter
        let m1 = try context.accumulator("moment1", of: p)
        let m2 = try context.accumulator("moment2", of: p)
        let b1 = try context.accumulator("beta1_pow_acc", of: p, shape: [1], value: beta1)
        let b2 = try context.accumulator("beta2_pow_acc", of: p, shape: [1], value: beta2)
        try context.append(
            OpDesc(
                type: "adam",
                inputs: [
                    "Param": [p], "Grad": [pg.gradient], "LearningRate": [context.learningRateName],
                    "Moment1": [m1], "Moment2": [m2], "Beta1Pow": [b1], "Beta2Pow": [b2],
                ],
                outputs: [
                    "ParamOut": [p], "Moment1Out": [m1], "Moment2Out": [m2], "Beta1PowOut": [b1], "Beta2PowOut": [b2],
                ],
                attributes: [
                    "beta1": .float(beta1), "beta2": .float(beta2), "epsilon": .float(epsilon),
                    "lazy_mode": .bool(false), "multi_precision": .bool(false),
                ]))
    }
}
