import Foundation

/// Learning-rate scheduling: `increment` (Out = X + step, Paddle's step counter op) and
/// `lr_schedule`, SwiftFluid's op computing a scheduled rate from the counter and the base
/// rate (see `LearningRateSchedule` for the formulas).
enum ScheduleOps {
    static let increment = OpDefinition(
        OpSchema(
            "increment", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [AttributeSpec("step", .float(1))]),
        inferShape: { ctx in
            let x = try ctx.input("X")
            try ctx.requireOneElement(x, of: "X")
            ctx.setOutput("Out", x)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let step = try ctx.op.double("step")
            switch x.dtype {
            case .float32: return { out.floats[0] = x.floats[0] + Float(step) }
            case .int64: return { out.pointer(as: Int64.self)[0] = x.pointer(as: Int64.self)[0] + Int64(step) }
            case .int32: return { out.pointer(as: Int32.self)[0] = x.pointer(as: Int32.self)[0] + Int32(step) }
            default: throw ctx.error("X has unsupported dtype \(x.dtype)")
            }
        })

    static let lrSchedule = OpDefinition(
        OpSchema(
            "lr_schedule", inputs: [SlotSpec("Step"), SlotSpec("BaseRate")], outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("kind", .string("constant")), AttributeSpec("decay_steps", .int(1)),
                AttributeSpec("decay_rate", .float(1)),
                AttributeSpec("staircase", .bool(false)), AttributeSpec("boundaries", .ints([])),
                AttributeSpec("values", .floats([])),
                AttributeSpec("step_each_epoch", .int(1)), AttributeSpec("epochs", .int(1)),
                AttributeSpec("warmup_steps", .int(0)), AttributeSpec("warmup_start", .float(0)),
            ]),
        inferShape: { ctx in
            // A float32 counter counts exactly up to 2^24 steps, far past any schedule here.
            try ctx.requireOneElement(try ctx.input("Step", dtype: .float32), of: "Step")
            let base = try ctx.input("BaseRate", dtype: .float32)
            try ctx.requireOneElement(base, of: "BaseRate")
            ctx.setOutput("Out", base)
        },
        kernel: { ctx in
            let step = try ctx.input("Step")
            let base = try ctx.input("BaseRate")
            let out = try ctx.output("Out")
            let rule = try Rule(ctx.op)
            return { out.floats[0] = rule.rate(step: Double(step.floats[0]) - 1, base: Double(base.floats[0])) }
        })

    /// The decoded schedule. `step` counts from 0 at the first update.
    struct Rule {
        let kind: String, decaySteps: Double, decayRate: Double, staircase: Bool
        let boundaries: [Double], values: [Double], stepsPerEpoch: Double, epochs: Double
        let warmupSteps: Double, warmupStart: Double

        init(_ op: OpDesc) throws {
            kind = try op.string("kind")
            decaySteps = Double(try op.int("decay_steps"))
            decayRate = try op.double("decay_rate")
            staircase = try op.bool("staircase")
            boundaries = try op.ints("boundaries").map(Double.init)
            values = try op.floats("values").map(Double.init)
            stepsPerEpoch = Double(try op.int("step_each_epoch"))
            epochs = Double(try op.int("epochs"))
            warmupSteps = Double(try op.int("warmup_steps"))
            warmupStart = try op.double("warmup_start")
            guard ["constant", "exponential", "piecewise", "cosine"].contains(kind) else {
                throw FluidError.attribute(op: op.type, name: "kind", message: "names no known schedule: '\(kind)'")
            }
            guard kind != "piecewise" || values.count == boundaries.count + 1 else {
                throw FluidError.attribute(
                    op: op.type, name: "values", message: "needs one more value than boundaries (\(boundaries.count))")
            }
            guard decaySteps > 0, stepsPerEpoch > 0, epochs > 0 else {
                throw FluidError.attribute(
                    op: op.type, name: "decay_steps", message: "and step_each_epoch and epochs must be positive")
            }
        }

        func rate(step: Double, base: Double) -> Float {
            if step < warmupSteps { return Float(warmupStart + (base - warmupStart) * step / warmupSteps) }
            let s = step - warmupSteps
            switch kind {
            case "exponential":
                let e = s / decaySteps
                return Float(base * pow(decayRate, staircase ? e.rounded(.down) : e))
            case "piecewise":
                let i = boundaries.firstIndex { s < $0 } ?? boundaries.count
                return Float(values[i])
            case "cosine":
                let epoch = (s / stepsPerEpoch).rounded(.down)
                return Float(base * (cos(epoch * .pi / epochs) + 1) / 2)
            default:
                return Float(base)
            }
        }
    }

    static let definitions = [increment, lrSchedule]
}
