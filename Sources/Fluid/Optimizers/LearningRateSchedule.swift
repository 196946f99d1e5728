/// A learning rate computed in the program each step from a step counter, with role LRSched:
/// an `increment` of the persistable counter `@LR_DECAY_COUNTER@`, then an `lr_schedule` op.
///
/// ```swift
/// let adam = Adam(learningRate: 0.01, schedule: .warmup(steps: 100, startRate: 0, then: .cosine(stepsPerEpoch: 938, epochs: 5)))
/// ```
public indirect enum LearningRateSchedule: Sendable, Equatable {
    /// base * rate^(step / decaySteps), the exponent floored when `staircase`.
    case exponential(decaySteps: Int, decayRate: Float, staircase: Bool)
    /// values[i] while step < boundaries[i]; the last value after the last boundary.
    case piecewise(boundaries: [Int], values: [Float])
    /// base * (cos(floor(step / stepsPerEpoch) * pi / epochs) + 1) / 2.
    case cosine(stepsPerEpoch: Int, epochs: Int)
    /// Linear from `startRate` to the base rate over `steps`, then `then` (or the base rate).
    case warmup(steps: Int, startRate: Float, then: LearningRateSchedule?)

    static let counterName = "@LR_DECAY_COUNTER@"

    /// The attributes of the `lr_schedule` op that computes this schedule; throws when a step
    /// count does not fit the op's 32-bit attributes.
    func attributes() throws -> [String: Attribute] {
        func int32(_ v: Int, _ name: String) throws -> Int32 {
            guard let x = Int32(exactly: v) else {
                throw FluidError.attribute(
                    op: "lr_schedule", name: name, message: "is \(v), which does not fit a 32-bit integer attribute")
            }
            return x
        }
        switch self {
        case .exponential(let steps, let rate, let staircase):
            return [
                "kind": .string("exponential"), "decay_steps": .int(try int32(steps, "decay_steps")),
                "decay_rate": .float(rate), "staircase": .bool(staircase),
            ]
        case .piecewise(let boundaries, let values):
            return [
                "kind": .string("piecewise"), "boundaries": .ints(try boundaries.map { try int32($0, "boundaries") }),
                "values": .floats(values),
            ]
        case .cosine(let stepsPerEpoch, let epochs):
            return [
                "kind": .string("cosine"), "step_each_epoch": .int(try int32(stepsPerEpoch, "step_each_epoch")),
                "epochs": .int(try int32(epochs, "epochs")),
            ]
        case .warmup(let steps, let start, let then):
            var a = try then?.attributes() ?? ["kind": .string("constant")]
            a["warmup_steps"] = .int(try int32(steps, "warmup_steps"))
            a["warmup_start"] = .float(start)
            return a
        }
    }

    func append(base: String, baseRate: Float, context: OptimizerContext) throws -> String {
        let counter = try context.persistable(Self.counterName, shape: [1], value: 0)
        try context.append(
            OpDesc(
                type: "increment", inputs: ["X": [counter]], outputs: ["Out": [counter]],
                attributes: ["step": .float(1)]), role: .lrSched)
        let rate = context.temporary("learning_rate_scheduled")
        try context.append(
            OpDesc(
                type: "lr_schedule", inputs: ["Step": [counter], "BaseRate": [base]], outputs: ["Out": [rate]],
                attributes: try attributes()), role: .lrSched)
        return rate
    }
}
