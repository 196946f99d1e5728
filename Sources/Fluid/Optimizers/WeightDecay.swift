/// A penalty on parameters added to their gradients before the update, like Paddle's
/// `L2Decay` (grad + coeff * param) and `L1Decay` (grad + coeff * sign(param)).
public enum WeightDecay: Sendable, Equatable {
    case l2(Float)
    case l1(Float)

    /// Appends the decay ops; returns the parameters with their decayed gradients.
    func append(_ grads: [ParameterGradient], context: OptimizerContext) throws -> [ParameterGradient] {
        try grads.map { pg in
            let decay = context.temporary(pg.parameter + "_decay")
            switch self {
            case .l2(let coeff):
                try context.append(
                    OpDesc(
                        type: "scale", inputs: ["X": [pg.parameter]], outputs: ["Out": [decay]],
                        attributes: ["scale": .float(coeff), "bias": .float(0), "bias_after_scale": .bool(true)]))
            case .l1(let coeff):
                let sign = context.temporary(pg.parameter + "_sign")
                try context.append(OpDesc(type: "sign", inputs: ["X": [pg.parameter]], outputs: ["Out": [sign]]))
                try context.append(
                    OpDesc(
                        type: "scale", inputs: ["X": [sign]], outputs: ["Out": [decay]],
                        attributes: ["scale": .float(coeff), "bias": .float(0), "bias_after_scale": .bool(true)]))
            }
            let decayed = context.temporary(pg.gradient + "_decayed")
            try context.append(OpDesc(type: "sum", inputs: ["X": [pg.gradient, decay]], outputs: ["Out": [decayed]]))
            return ParameterGradient(parameter: pg.parameter, gradient: decayed)
        }
    }
}
