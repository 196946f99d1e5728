import Foundation

/// Parameter-update ops appended by optimizers: `sgd`, `momentum`, `adam`. Each reads the
/// parameter and its gradient and writes the parameter in place (ParamOut is Param).
enum OptimizerOps {
    static let noMasterWeights = "master weights (multi-precision training) are not implemented; parameters are float32"
    static let noAMSGrad = "AMSGrad is not implemented"

    private static func sameAs(_ input: String, _ outputs: String...) -> OpDefinition.ShapeRule {
        { ctx in
            let m = try ctx.input(input)
            for o in outputs { ctx.setOutput(o, m) }
        }
    }

    /// Checks that Grad has the shape of Param (a mismatch means a broken backward pass).
    private static func checkGrad(_ ctx: ShapeContext) throws {
        let p = try ctx.input("Param", dtype: .float32)
        _ = try ctx.input("Grad", dtype: .float32, shapeOf: p, in: "Param")
        try ctx.requireOneElement(try ctx.input("LearningRate", dtype: .float32), of: "LearningRate")
    }

    /// param -= lr * grad
    static let sgd = OpDefinition(
        OpSchema(
            "sgd",
            inputs: [
                SlotSpec("Param"), SlotSpec("LearningRate"), SlotSpec("Grad"),
                .unsupported("MasterParam", OptimizerOps.noMasterWeights),
            ],
            outputs: [SlotSpec("ParamOut"), .unsupported("MasterParamOut", OptimizerOps.noMasterWeights)],
            attributes: [AttributeSpec("multi_precision", .bool(false))]),
        inferShape: { ctx in
            try checkGrad(ctx)
            ctx.setOutput("ParamOut", try ctx.input("Param"))
        },
        kernel: { ctx in
            let p = try ctx.input("Param")
            let g = try ctx.input("Grad")
            let lr = try ctx.input("LearningRate")
            let out = try ctx.output("ParamOut")
            return {
                SGDStep(rate: lr.floats[0], param: p.floats, grad: g.floats, paramOut: out.floats).run(count: p.count)
            }
        })

    /// velocity = mu * velocity + grad; param -= lr * velocity
    /// (Nesterov: param -= lr * (grad + mu * velocity)). L2 decay may be folded in by attribute.
    static let momentum = OpDefinition(
        OpSchema(
            "momentum",
            inputs: [
                SlotSpec("Param"), SlotSpec("Grad"), SlotSpec("Velocity"), SlotSpec("LearningRate"),
                .unsupported("MasterParam", OptimizerOps.noMasterWeights),
            ],
            outputs: [
                SlotSpec("ParamOut"), SlotSpec("VelocityOut"),
                .unsupported("MasterParamOut", OptimizerOps.noMasterWeights),
            ],
            attributes: [
                AttributeSpec("mu", .float(0.9)), AttributeSpec("use_nesterov", .bool(false)),
                AttributeSpec("regularization_method", .string("")), AttributeSpec("regularization_coeff", .float(0)),
                AttributeSpec("rescale_grad", .float(1)), AttributeSpec("multi_precision", .bool(false)),
            ]),
        inferShape: { ctx in
            try checkGrad(ctx)
            try sameAs("Param", "ParamOut", "VelocityOut")(&ctx)
        },
        kernel: { ctx in
            let p = try ctx.input("Param")
            let g = try ctx.input("Grad")
            let v = try ctx.input("Velocity")
            let lr = try ctx.input("LearningRate")
            let pOut = try ctx.output("ParamOut")
            let vOut = try ctx.output("VelocityOut")
            let mu = try ctx.op.float("mu")
            let nesterov = try ctx.op.bool("use_nesterov")
            let method = try ctx.op.string("regularization_method")
            guard method == "" || method == "l2_decay" else {
                throw FluidError.attribute(
                    op: "momentum", name: "regularization_method",
                    message: "is '\(method)'; the momentum op folds in only l2_decay (or none: '')")
            }
            let l2 = method == "l2_decay" ? try ctx.op.float("regularization_coeff") : 0
            let rescale = try ctx.op.float("rescale_grad")
            return {
                MomentumStep(
                    mu: mu, rate: lr.floats[0], l2: l2, rescale: rescale, nesterov: nesterov, param: p.floats,
                    grad: g.floats, velocity: v.floats, paramOut: pOut.floats, velocityOut: vOut.floats
                ).run(count: p.count)
            }
        })

    /// Adam as Paddle computes it: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    /// lr_t = lr sqrt(1-b2^t) / (1-b1^t); param -= lr_t m / (sqrt(v) + eps sqrt(1-b2^t));
    /// the beta powers (starting at b1 and b2) are multiplied by b1 and b2 after each step.
    static let adam = OpDefinition(
        OpSchema(
            "adam",
            inputs: [
                SlotSpec("Param"), SlotSpec("Grad"), SlotSpec("LearningRate"), SlotSpec("Moment1"), SlotSpec("Moment2"),
                SlotSpec("Beta1Pow"), SlotSpec("Beta2Pow"), .optional("Beta1Tensor"), .optional("Beta2Tensor"),
                .optional("EpsilonTensor"), .unsupported("MasterParam", OptimizerOps.noMasterWeights),
                .unsupported("SkipUpdate", "skipping an update by a tensor is not implemented"),
                .unsupported("Moment2Max", OptimizerOps.noAMSGrad),
            ],
            outputs: [
                SlotSpec("ParamOut"), SlotSpec("Moment1Out"), SlotSpec("Moment2Out"), SlotSpec("Beta1PowOut"),
                SlotSpec("Beta2PowOut"), .unsupported("MasterParamOut", OptimizerOps.noMasterWeights),
                .unsupported("Moment2MaxOut", OptimizerOps.noAMSGrad),
            ],
            attributes: [
                AttributeSpec("beta1", .float(0.9)), AttributeSpec("beta2", .float(0.999)),
                AttributeSpec("epsilon", .float(1e-8)), AttributeSpec("lazy_mode", .bool(false)),
                AttributeSpec("min_row_size_to_use_multithread", .long(1000)),
                AttributeSpec("multi_precision", .bool(false)),
                AttributeSpec.onlyDefault(
                    "use_global_beta_pow", .bool(false),
                    "beta powers shared by all parameters are not implemented; each parameter keeps its own"),
                AttributeSpec.onlyDefault("amsgrad", .bool(false), OptimizerOps.noAMSGrad),
            ]),
        inferShape: { ctx in
            try checkGrad(ctx)
            try sameAs("Param", "ParamOut", "Moment1Out", "Moment2Out")(&ctx)
            try sameAs("Beta1Pow", "Beta1PowOut")(&ctx)
            try sameAs("Beta2Pow", "Beta2PowOut")(&ctx)
        },
        kernel: { ctx in
            let p = try ctx.input("Param")
            let g = try ctx.input("Grad")
            let lr = try ctx.input("LearningRate")
            let m1 = try ctx.input("Moment1")
            let m2 = try ctx.input("Moment2")
            let b1p = try ctx.input("Beta1Pow")
            let b2p = try ctx.input("Beta2Pow")
            let pOut = try ctx.output("ParamOut")
            let m1Out = try ctx.output("Moment1Out")
            let m2Out = try ctx.output("Moment2Out")
            let b1pOut = try ctx.output("Beta1PowOut")
            let b2pOut = try ctx.output("Beta2PowOut")
            let beta1Tensor = ctx.inputIfPresent("Beta1Tensor")
            let beta2Tensor = ctx.inputIfPresent("Beta2Tensor")
            let epsilonTensor = ctx.inputIfPresent("EpsilonTensor")
            let beta1Attr = try ctx.op.float("beta1")
            let beta2Attr = try ctx.op.float("beta2")
            let epsAttr = try ctx.op.float("epsilon")
            return {
                let beta1 = beta1Tensor?.floats[0] ?? beta1Attr
                let beta2 = beta2Tensor?.floats[0] ?? beta2Attr
                let eps = epsilonTensor?.floats[0] ?? epsAttr
                let pow1 = b1p.floats[0]
                let pow2 = b2p.floats[0]
                let lrT = lr.floats[0] * (1 - pow2).squareRoot() / (1 - pow1)
                let epsT = eps * (1 - pow2).squareRoot()
                AdamStep(
                    beta1: beta1, beta2: beta2, lrT: lrT, epsT: epsT, param: p.floats, grad: g.floats,
                    moment1: m1.floats, moment2: m2.floats, paramOut: pOut.floats, moment1Out: m1Out.floats,
                    moment2Out: m2Out.floats
                ).run(count: p.count)
                b1pOut.floats[0] = pow1 * beta1
                b2pOut.floats[0] = pow2 * beta2
            }
        })

    static let definitions = [sgd, momentum, adam]
}
