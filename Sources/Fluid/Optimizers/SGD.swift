/// Plain stochastic gradient descent: param -= lr * grad.
public struct SGD: Optimizer {
    public var learningRate: Float
    public var regularization: WeightDecay?
    public var gradientClip: GradientClip?
    public var schedule: LearningRateSchedule?

    public init(
        learningRate: Float, regularization: WeightDecay? = nil, gradientClip: GradientClip? = nil,
        schedule: LearningRateSchedule? = nil
    ) {
        self.learningRate = learningRate
        self.regularization = regularization
        self.gradientClip = gradientClip
        self.schedule = schedule
    }

    public func appendUpdate(_ pg: ParameterGradient, context: OptimizerContext) throws {
        try context.append(
            OpDesc(
                type: "sgd",
                inputs: ["Param": [pg.parameter], "Grad": [pg.gradient], "LearningRate": [context.learningRateName]],
                outputs: ["ParamOut": [pg.parameter]]))
    }
}
