/// `merged_adam` and `merged_momentum`: Paddle's multi-tensor optimizer ops, what
/// `MergeOptimizerOps` makes of a run of `adam` or `momentum` ops; and `merged_sgd`, the same
/// for `sgd`, which is SwiftFluid's own (Paddle has no multi-tensor SGD), so it appears only
/// in the programs the executor runs, never in a saved one.
///
/// merged_adam: Every slot holds one variable per parameter, in the same order: Param, Grad,
/// Moment1, Moment2, Beta1Pow, Beta2Pow and their outputs (in place, as adam's), LearningRate
/// one variable shared by all or one per parameter; attributes beta1, beta2, epsilon,
/// multi_precision and use_global_beta_pow (false only, as adam's).
///
/// merged_momentum: Param, Grad, Velocity and ParamOut, VelocityOut one per parameter,
/// LearningRate shared or one per parameter; attributes mu, use_nesterov, rescale_grad,
/// multi_precision, and regularization_method / regularization_coeff one entry per parameter
/// ("" or "l2_decay"), or one entry for all.
///
/// merged_sgd: Param, Grad and ParamOut one per parameter, LearningRate shared or one per
/// parameter; attribute multi_precision (false only).
///
/// Each parameter is updated exactly as `adam`, `momentum` or `sgd` updates it (OptimizerOps
/// documents the formulas), in one parallel loop over chunks of all parameters
/// (MultiTensorUpdate), so a merged op and the separate ops give the same bits.
enum MergedOptimizerOps {
    static let perParameter = ["Param", "Grad", "Moment1", "Moment2", "Beta1Pow", "Beta2Pow"]
    static let outputsPerParameter = ["ParamOut", "Moment1Out", "Moment2Out", "Beta1PowOut", "Beta2PowOut"]

    static let mergedAdam = OpDefinition(
        OpSchema(
            "merged_adam",
            inputs: (perParameter + ["LearningRate"]).map(SlotSpec.many) + [
                .unsupported("MasterParam", OptimizerOps.noMasterWeights)
            ],
            outputs: outputsPerParameter.map(SlotSpec.many) + [
                .unsupported("MasterParamOut", OptimizerOps.noMasterWeights)
            ],
            attributes: [
                AttributeSpec("beta1", .float(0.9)), AttributeSpec("beta2", .float(0.999)),
                AttributeSpec("epsilon", .float(1e-8)), AttributeSpec("multi_precision", .bool(false)),
                AttributeSpec.onlyDefault(
                    "use_global_beta_pow", .bool(false),
                    "beta powers shared by all parameters are not implemented; each parameter keeps its own"),
            ]),
        inferShape: { ctx in
            try inferPerParameter(
                &ctx, inputs: perParameter, likeParam: ["Grad", "Moment1", "Moment2"], outputs: outputsPerParameter,
                outputsLikeParam: ["ParamOut", "Moment1Out", "Moment2Out"])
            for i in try ctx.inputs("Param").indices {
                ctx.setOutput("Beta1PowOut", try ctx.input("Beta1Pow", at: i), at: i)
                ctx.setOutput("Beta2PowOut", try ctx.input("Beta2Pow", at: i), at: i)
            }
        },
        kernel: { ctx in
            let slots = (perParameter + ["LearningRate"]).map { ctx.inputs($0) }
            let outs = try outputsPerParameter.map { slot in
                try (0..<slots[0].count).map { try ctx.output(slot, at: $0) }
            }
            let (p, g, m1, m2, b1p, b2p, rates) = (slots[0], slots[1], slots[2], slots[3], slots[4], slots[5], slots[6])
            let (pOut, m1Out, m2Out, b1pOut, b2pOut) = (outs[0], outs[1], outs[2], outs[3], outs[4])
            let beta1 = try ctx.op.float("beta1")
            let beta2 = try ctx.op.float("beta2")
            let eps = try ctx.op.float("epsilon")
            func step(_ i: Int) -> AdamStep {
                let pow1 = b1p[i].floats[0]
                let pow2 = b2p[i].floats[0]
                let rate = rates[rates.count == 1 ? 0 : i].floats[0]
                return AdamStep(
                    beta1: beta1, beta2: beta2, lrT: rate * (1 - pow2).squareRoot() / (1 - pow1),
                    epsT: eps * (1 - pow2).squareRoot(), param: p[i].floats, grad: g[i].floats,
                    moment1: m1[i].floats, moment2: m2[i].floats, paramOut: pOut[i].floats,
                    moment1Out: m1Out[i].floats, moment2Out: m2Out[i].floats)
            }
            guard !p.isEmpty else { return {} }
            let counts = p.map(\.count)
            let run = MultiTensorUpdate(counts: counts, initial: step(0))
            let sized = [p, g, m1, m2]
            return {
                try requireSizes(counts, sized, ctx)
                for i in p.indices { run.updates[i] = step(i) }
                run.run()
                for i in p.indices {
                    b1pOut[i].floats[0] = b1p[i].floats[0] * beta1
                    b2pOut[i].floats[0] = b2p[i].floats[0] * beta2
                }
            }
        })

    static let mergedMomentum = OpDefinition(
        OpSchema(
            "merged_momentum",
            inputs: ["Param", "Grad", "Velocity", "LearningRate"].map(SlotSpec.many) + [
                .unsupported("MasterParam", OptimizerOps.noMasterWeights)
            ],
            outputs: ["ParamOut", "VelocityOut"].map(SlotSpec.many) + [
                .unsupported("MasterParamOut", OptimizerOps.noMasterWeights)
            ],
            attributes: [
                AttributeSpec("mu", .float(0.9)), AttributeSpec("use_nesterov", .bool(false)),
                AttributeSpec("regularization_method", .strings([])),
                AttributeSpec("regularization_coeff", .floats([])),
                AttributeSpec("rescale_grad", .float(1)), AttributeSpec("multi_precision", .bool(false)),
            ]),
        inferShape: { ctx in
            try inferPerParameter(
                &ctx, inputs: ["Param", "Grad", "Velocity"], likeParam: ["Grad", "Velocity"],
                outputs: ["ParamOut", "VelocityOut"], outputsLikeParam: ["ParamOut", "VelocityOut"])
            _ = try l2Coefficients(ctx.op, count: ctx.op.input("Param").count)
        },
        kernel: { ctx in
            let (p, g, v, rates) = (
                ctx.inputs("Param"), ctx.inputs("Grad"), ctx.inputs("Velocity"), ctx.inputs("LearningRate")
            )
            let pOut = try p.indices.map { try ctx.output("ParamOut", at: $0) }
            let vOut = try p.indices.map { try ctx.output("VelocityOut", at: $0) }
            let mu = try ctx.op.float("mu")
            let nesterov = try ctx.op.bool("use_nesterov")
            let rescale = try ctx.op.float("rescale_grad")
            let l2 = try l2Coefficients(ctx.op, count: p.count)
            func step(_ i: Int) -> MomentumStep {
                MomentumStep(
                    mu: mu, rate: rates[rates.count == 1 ? 0 : i].floats[0], l2: l2[i], rescale: rescale,
                    nesterov: nesterov, param: p[i].floats, grad: g[i].floats, velocity: v[i].floats,
                    paramOut: pOut[i].floats, velocityOut: vOut[i].floats)
            }
            guard !p.isEmpty else { return {} }
            let counts = p.map(\.count)
            let run = MultiTensorUpdate(counts: counts, initial: step(0))
            let sized = [p, g, v]
            return {
                try requireSizes(counts, sized, ctx)
                for i in p.indices { run.updates[i] = step(i) }
                run.run()
            }
        })

    static let mergedSGD = OpDefinition(
        OpSchema(
            "merged_sgd",
            inputs: ["Param", "Grad", "LearningRate"].map(SlotSpec.many) + [
                .unsupported("MasterParam", OptimizerOps.noMasterWeights)
            ],
            outputs: [.many("ParamOut"), .unsupported("MasterParamOut", OptimizerOps.noMasterWeights)],
            attributes: [AttributeSpec("multi_precision", .bool(false))]),
        inferShape: { ctx in
            try inferPerParameter(
                &ctx, inputs: ["Param", "Grad"], likeParam: ["Grad"], outputs: ["ParamOut"],
                outputsLikeParam: ["ParamOut"])
        },
        kernel: { ctx in
            let (p, g, rates) = (ctx.inputs("Param"), ctx.inputs("Grad"), ctx.inputs("LearningRate"))
            let pOut = try p.indices.map { try ctx.output("ParamOut", at: $0) }
            func step(_ i: Int) -> SGDStep {
                SGDStep(
                    rate: rates[rates.count == 1 ? 0 : i].floats[0], param: p[i].floats, grad: g[i].floats,
                    paramOut: pOut[i].floats)
            }
            guard !p.isEmpty else { return {} }
            let counts = p.map(\.count)
            let run = MultiTensorUpdate(counts: counts, initial: step(0))
            let sized = [p, g]
            return {
                try requireSizes(counts, sized, ctx)
                for i in p.indices { run.updates[i] = step(i) }
                run.run()
            }
        })

    /// The shape rule the merged ops share: each of `inputs` and `outputs` holds one variable
    /// per Param; LearningRate one for all or one per Param, each of one element; the
    /// `likeParam` inputs have their Param's shape, and `outputsLikeParam` get it.
    static func inferPerParameter(
        _ ctx: inout ShapeContext, inputs: [String], likeParam: [String], outputs: [String],
        outputsLikeParam: [String]
    ) throws {
        let count = ctx.op.input("Param").count
        for slot in inputs where ctx.op.input(slot).count != count {
            throw ctx.error(slot, "holds \(ctx.op.input(slot).count) variables, but Param holds \(count)")
        }
        for slot in outputs where ctx.op.output(slot).count != count {
            throw ctx.error(slot, "holds \(ctx.op.output(slot).count) variables, but Param holds \(count)")
        }
        let rates = try ctx.inputs("LearningRate")
        guard rates.count == 1 || rates.count == count else {
            throw ctx.error("LearningRate", "holds \(rates.count) variables; it needs 1 or \(count)")
        }
        for (i, rate) in rates.enumerated() { try ctx.requireOneElement(rate, of: "LearningRate[\(i)]") }
        for i in 0..<count {
            let p = try ctx.input("Param", at: i, dtype: .float32)
            for slot in likeParam {
                guard shapesAgree(try ctx.input(slot, at: i, dtype: .float32).shape, p.shape) else {
                    throw ctx.error(slot, "\(slot)[\(i)] must have the shape of Param[\(i)] \(p.shape)")
                }
            }
            for slot in outputsLikeParam { ctx.setOutput(slot, p, at: i) }
        }
    }

    /// Throws unless every tensor of `groups` (Param first, then those updated with it) still
    /// has the element count its Param had when the plan was built: the chunks assume them.
    static func requireSizes(_ counts: [Int], _ groups: [[Tensor]], _ ctx: KernelContext) throws {
        for (i, n) in counts.enumerated() where groups.contains(where: { $0[i].count != n }) {
            throw ctx.error(
                "Param[\(i)] had \(n) elements when the plan was built; it and the tensors updated with it must keep them"
            )
        }
    }

    /// The L2 coefficient of each of `count` parameters from regularization_method and
    /// regularization_coeff (one entry each, one for all, or none: no decay).
    static func l2Coefficients(_ op: OpDesc, count: Int) throws -> [Float] {
        let methods = try op.strings("regularization_method")
        let coefficients = try op.floats("regularization_coeff")
        func entry<T>(_ list: [T], _ i: Int, _ name: String, _ fallback: T) throws -> T {
            if list.isEmpty { return fallback }
            if list.count == 1 { return list[0] }
            guard list.count == count else {
                throw FluidError.attribute(
                    op: op.type, name: name,
                    message: "has \(list.count) entries; it needs 0, 1 or \(count) (one per Param)")
            }
            return list[i]
        }
        return try (0..<count).map { i in
            let method = try entry(methods, i, "regularization_method", "")
            guard method == "" || method == "l2_decay" else {
                throw FluidError.attribute(
                    op: op.type, name: "regularization_method",
                    message: "is '\(method)' for Param[\(i)]; merged_momentum folds in only l2_decay (or none: '')")
            }
            return method == "l2_decay" ? try entry(coefficients, i, "regularization_coeff", 0) : 0
        }
    }

    static let definitions = [mergedAdam, mergedMomentum, mergedSGD]
}
