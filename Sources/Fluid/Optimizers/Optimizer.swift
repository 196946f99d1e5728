/// An optimizer appends, after the backward pass, ops that update each parameter from its
/// gradient (role Optimize), and declares its accumulators in the startup program.
///
/// ```swift
/// let adam = Adam(learningRate: 0.001)
/// try adam.minimize(loss, program: main, startup: startup)
/// ```
public protocol Optimizer {
    /// The base learning rate (a persistable variable in the program, as in Paddle).
    var learningRate: Float { get }
    /// Penalty added to every gradient before the update.
    var regularization: WeightDecay? { get }
    /// Clipping applied to the gradients before the update.
    var gradientClip: GradientClip? { get }
    /// Optional schedule computing the learning rate in the program each step.
    var schedule: LearningRateSchedule? { get }
    /// Appends the update ops of one parameter.
    func appendUpdate(_ pg: ParameterGradient, context: OptimizerContext) throws
}

extension Optimizer {
    public var regularization: WeightDecay? { nil }
    public var gradientClip: GradientClip? { nil }
    public var schedule: LearningRateSchedule? { nil }

    /// Appends the backward pass of `loss` and the update ops to `program`, and the
    /// accumulators' initialisers to `startup`. Returns the parameters and their gradients.
    @discardableResult
    public func minimize(
        _ loss: Variable, program: Program, startup: Program, parameterList: [String]? = nil,
        noGradSet: Set<String> = []
    ) throws -> [ParameterGradient] {
        var grads = try program.appendBackward(loss: loss.name, parameterList: parameterList, noGradSet: noGradSet)
        let context = OptimizerContext(main: program, startup: startup)
        if let gradientClip { grads = try gradientClip.append(grads, context: context) }
        if let regularization { grads = try regularization.append(grads, context: context) }
        context.learningRateName = try context.appendLearningRate(learningRate, schedule: schedule)
        for pg in grads { try appendUpdate(pg, context: context) }
        return grads
    }
}

/// Where optimizer ops and accumulators go, with Paddle's accumulator naming.
public final class OptimizerContext {
    public let main: Program
    public let startup: Program
    /// The learning-rate variable (`learning_rate_0`) the update ops read.
    public internal(set) var learningRateName = ""

    init(main: Program, startup: Program) {
        self.main = main
        self.startup = startup
    }

    /// Declares a persistable variable in both programs, filled with `value` by the startup program.
    @discardableResult
    public func persistable(_ name: String, shape: [Int], value: Float, dtype: DataType = .float32) throws -> String {
        let desc = VarDesc(name: name, dtype: dtype, shape: shape, persistable: true, stopGradient: true)
        main.globalBlock.addVar(desc)
        if !startup.globalBlock.hasLocalVar(name) {
            startup.globalBlock.addVar(desc)
            startup.globalBlock.appendOp(Initializer.constant(value).op(for: name, shape: shape, dtype: dtype))
        }
        return name
    }

    /// An accumulator of `parameter` named as Paddle does: `PARAM_KIND_0` (`fc_0.w_0_moment1_0`).
    public func accumulator(_ kind: String, of parameter: String, shape: [Int]? = nil, value: Float = 0) throws
        -> String
    {
        guard let p = main.globalBlock.findVar(parameter) else {
            throw FluidError.missingVariable(
                name: parameter, context: "the optimizer updates it, but the program does not declare it")
        }
        return try persistable("\(parameter)_\(kind)_0", shape: shape ?? p.shape, value: value, dtype: p.dtype)
    }

    /// Appends an op with the given role, inferring its output shapes.
    public func append(_ op: OpDesc, role: OpRole = .optimize) throws {
        var op = op
        op.role = role
        try main.globalBlock.appendInferred(op)
    }

    /// A fresh temporary name in the main program.
    public func temporary(_ key: String) -> String { main.names.next(key + ".tmp") }

    /// Declares the base learning rate and, with a schedule, the ops that compute the
    /// scheduled rate; returns the variable the updates read.
    func appendLearningRate(_ rate: Float, schedule: LearningRateSchedule?) throws -> String {
        let base = try persistable(main.names.next("learning_rate"), shape: [], value: rate)
        guard let schedule else { return base }
        return try schedule.append(base: base, baseRate: rate, context: self)
    }
}
