/// Gradient clipping applied before weight decay and the update, like Paddle's
/// `ClipGradByValue`, `ClipGradByNorm` and `ClipGradByGlobalNorm`.
public enum GradientClip: Sendable, Equatable {
    /// Each element into [min, max].
    case byValue(min: Float, max: Float)
    /// Each gradient scaled so its L2 norm is at most `maxNorm`.
    case byNorm(Float)
    /// All gradients scaled by maxNorm / max(globalNorm, maxNorm), globalNorm the L2 norm of them all.
    case byGlobalNorm(Float)

    func append(_ grads: [ParameterGradient], context: OptimizerContext) throws -> [ParameterGradient] {
        switch self {
        case .byValue(let lo, let hi):
            return try grads.map { pg in
                let out = context.temporary(pg.gradient + "_clip")
                try context.append(
                    OpDesc(
                        type: "clip", inputs: ["X": [pg.gradient]], outputs: ["Out": [out]],
                        attributes: ["min": .float(lo), "max": .float(hi)]))
                return ParameterGradient(parameter: pg.parameter, gradient: out)
            }
        case .byNorm(let maxNorm):
            return try grads.map { pg in
                let out = context.temporary(pg.gradient + "_clip")
                try context.append(
                    OpDesc(
                        type: "clip_by_norm", inputs: ["X": [pg.gradient]], outputs: ["Out": [out]],
                        attributes: ["max_norm": .float(maxNorm)]))
                return ParameterGradient(parameter: pg.parameter, gradient: out)
            }
        case .byGlobalNorm(let maxNorm):
            guard !grads.isEmpty else { return grads }
            var squares: [String] = []
            for pg in grads {
                let sq = context.temporary(pg.gradient + "_squared_norm")
                try context.append(
                    OpDesc(type: "squared_l2_norm", inputs: ["X": [pg.gradient]], outputs: ["Out": [sq]]))
                squares.append(sq)
            }
            let total = context.temporary("global_norm_squared")
            let norm = context.temporary("global_norm")
            let limit = context.temporary("max_global_norm")
            let denominator = context.temporary("global_norm_max")
            let factor = context.temporary("global_norm_clip_factor")
            try context.append(OpDesc(type: "sum", inputs: ["X": squares], outputs: ["Out": [total]]))
            try context.append(OpDesc(type: "sqrt", inputs: ["X": [total]], outputs: ["Out": [norm]]))
            try context.append(
                OpDesc(
                    type: "fill_constant", outputs: ["Out": [limit]],
                    attributes: [
                        "shape": .longs([1]), "value": .float(maxNorm), "dtype": .int(DataType.float32.rawValue),
                    ]))
            try context.append(
                OpDesc(type: "elementwise_max", inputs: ["X": [norm], "Y": [limit]], outputs: ["Out": [denominator]]))
            try context.append(
                OpDesc(type: "elementwise_div", inputs: ["X": [limit], "Y": [denominator]], outputs: ["Out": [factor]]))
            return try grads.map { pg in
                let out = context.temporary(pg.gradient + "_clip")
                try context.append(
                    OpDesc(
                        type: "elementwise_mul", inputs: ["X": [pg.gradient], "Y": [factor]], outputs: ["Out": [out]],
                        attributes: ["axis": .int(-1)]))
                return ParameterGradient(parameter: pg.parameter, gradient: out)
            }
        }
    }
}
