import Foundation
import Testing

@testable import Fluid

/// Two update steps of each optimizer op against values computed by hand from the formulas.
@Suite struct OptimizerOpsTests {
    let param: [Float] = [0.5, -1.0, 2.0]
    let grads: [[Float]] = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05]]

    /// Runs `op` twice in place over persistable variables, feeding the gradient of each step.
    func runTwoSteps(_ op: OpDesc, state: [String: Tensor]) throws -> Scope {
        let p = Program()
        for (name, t) in state {
            p.globalBlock.addVar(VarDesc(name: name, dtype: t.dtype, shape: t.shape, persistable: true))
        }
        p.globalBlock.addVar(VarDesc(name: "g", shape: [3]))
        p.globalBlock.appendOp(op)
        let scope = Scope()
        let exe = Executor()
        for (name, t) in state { scope.set(name, t) }
        for g in grads { try exe.run(p, scope: scope, feed: ["g": Tensor(shape: [3], scalars: g)]) }
        return scope
    }

    func expectClose(_ got: [Float], _ want: [Double], _ what: String, tolerance: Double = 1e-6) {
        for (g, w) in zip(got, want) {
            #expect(abs(Double(g) - w) <= tolerance * (1 + abs(w)), "\(what): \(got) vs \(want)")
        }
    }

    @Test func sgd() throws {
        let op = OpDesc(
            type: "sgd", inputs: ["Param": ["p"], "Grad": ["g"], "LearningRate": ["lr"]], outputs: ["ParamOut": ["p"]])
        let scope = try runTwoSteps(
            op, state: ["p": Tensor(shape: [3], scalars: param), "lr": Tensor(shape: [], scalars: [0.1] as [Float])])
        let want = (0..<3).map { Double(param[$0]) - 0.1 * Double(grads[0][$0]) - 0.1 * Double(grads[1][$0]) }
        try expectClose(scope["p"]!.scalars(as: Float.self), want, "sgd")
    }

    @Test(arguments: [false, true]) func momentum(nesterov: Bool) throws {
        let op = OpDesc(
            type: "momentum", inputs: ["Param": ["p"], "Grad": ["g"], "Velocity": ["v"], "LearningRate": ["lr"]],
            outputs: ["ParamOut": ["p"], "VelocityOut": ["v"]],
            attributes: ["mu": .float(0.9), "use_nesterov": .bool(nesterov)])
        let scope = try runTwoSteps(
            op,
            state: [
                "p": Tensor(shape: [3], scalars: param), "v": Tensor(shape: [3], scalars: [0, 0, 0] as [Float]),
                "lr": Tensor(shape: [], scalars: [0.1] as [Float]),
            ])
        var want: [Double] = []
        var wantV: [Double] = []
        for i in 0..<3 {
            var p = Double(param[i])
            var v = 0.0
            for g in grads.map({ Double($0[i]) }) {
                v = 0.9 * v + g
                p -= nesterov ? 0.1 * (g + 0.9 * v) : 0.1 * v
            }
            want.append(p)
            wantV.append(v)
        }
        try expectClose(scope["p"]!.scalars(as: Float.self), want, "momentum param")
        try expectClose(scope["v"]!.scalars(as: Float.self), wantV, "momentum velocity")
    }

    /// An adam op over p, g, lr, m1, m2, b1, b2 plus `extraInputs`.
    func adamOp(epsilon: Float = 1e-8, extraInputs: [String: [String]] = [:]) -> OpDesc {
        OpDesc(
            type: "adam",
            inputs: [
                "Param": ["p"], "Grad": ["g"], "LearningRate": ["lr"], "Moment1": ["m1"], "Moment2": ["m2"],
                "Beta1Pow": ["b1"], "Beta2Pow": ["b2"],
            ].merging(extraInputs) { $1 },
            outputs: [
                "ParamOut": ["p"], "Moment1Out": ["m1"], "Moment2Out": ["m2"], "Beta1PowOut": ["b1"],
                "Beta2PowOut": ["b2"],
            ],
            attributes: ["beta1": .float(0.9), "beta2": .float(0.999), "epsilon": .float(epsilon)])
    }

    func adamState(beta1: Float = 0.9, beta2: Float = 0.999, extra: [String: Tensor] = [:]) throws -> [String: Tensor] {
        let zeros = try Tensor(shape: [3], scalars: [0, 0, 0] as [Float])
        return try [
            "p": Tensor(shape: [3], scalars: param), "m1": zeros, "m2": zeros.clone(),
            "b1": Tensor(shape: [1], scalars: [beta1]), "b2": Tensor(shape: [1], scalars: [beta2]),
            "lr": Tensor(shape: [], scalars: [0.01] as [Float]),
        ].merging(extra) { $1 }
    }

    /// Textbook Adam with bias correction, lr * m_hat / (sqrt(v_hat) + eps), in Double, over `grads`.
    func textbookAdam(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double) -> [Double] {
        (0..<3).map { i in
            var p = Double(param[i])
            var m = 0.0
            var v = 0.0
            for (t, g) in grads.map({ Double($0[i]) }).enumerated() {
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                let mHat = m / (1 - pow(beta1, Double(t + 1)))
                let vHat = v / (1 - pow(beta2, Double(t + 1)))
                p -= 0.01 * mHat / (vHat.squareRoot() + epsilon)
            }
            return p
        }
    }

    @Test func adam() throws {
        let scope = try runTwoSteps(adamOp(), state: adamState())
        try expectClose(scope["p"]!.scalars(as: Float.self), textbookAdam(epsilon: 1e-8), "adam param", tolerance: 1e-5)
        try expectClose(scope["b1"]!.scalars(as: Float.self), [0.9 * 0.9 * 0.9], "beta1 pow")
        try expectClose(scope["b2"]!.scalars(as: Float.self), [0.999 * 0.999 * 0.999], "beta2 pow")
    }

    /// With epsilon as large as sqrt(v_hat), where epsilon enters the update decides the result: Paddle scales it
    /// by sqrt(1 - beta2^t), which is the textbook's epsilon added to sqrt(v_hat).
    @Test func adamEpsilonIsAddedToTheBiasCorrectedRoot() throws {
        let scope = try runTwoSteps(adamOp(epsilon: 0.2), state: adamState())
        let got = try scope["p"]!.scalars(as: Float.self)
        try expectClose(got, textbookAdam(epsilon: 0.2), "adam param, epsilon 0.2", tolerance: 1e-5)
        let epsilonUnscaled = textbookAdam(epsilon: 0.2 / (1 - 0.999).squareRoot())
        #expect(zip(got, epsilonUnscaled).contains { abs(Double($0) - $1) > 1e-3 }, "the test can tell the two apart")
    }

    /// Beta1Tensor, Beta2Tensor and EpsilonTensor, when given, take the place of the attributes.
    @Test func adamTensorInputsOverrideTheAttributes() throws {
        let op = adamOp(
            epsilon: 1e-8,
            extraInputs: ["Beta1Tensor": ["beta1"], "Beta2Tensor": ["beta2"], "EpsilonTensor": ["epsilon"]])
        let state = try adamState(
            beta1: 0.5, beta2: 0.8,
            extra: [
                "beta1": Tensor(shape: [1], scalars: [0.5] as [Float]),
                "beta2": Tensor(shape: [1], scalars: [0.8] as [Float]),
                "epsilon": Tensor(shape: [1], scalars: [0.2] as [Float]),
            ])
        let scope = try runTwoSteps(op, state: state)
        let want = textbookAdam(beta1: 0.5, beta2: 0.8, epsilon: 0.2)
        try expectClose(
            scope["p"]!.scalars(as: Float.self), want, "adam param, tensor hyperparameters", tolerance: 1e-5)
        try expectClose(scope["b1"]!.scalars(as: Float.self), [0.5 * 0.5 * 0.5], "beta1 pow from Beta1Tensor")
        try expectClose(scope["b2"]!.scalars(as: Float.self), [0.8 * 0.8 * 0.8], "beta2 pow from Beta2Tensor")
    }

    /// The lane-wise, core-split Adam update gives bit for bit what the scalar formula gives, at
    /// sizes with a tail of lanes and above the split threshold.
    @Test(arguments: [13, 40_003])
    func adamStepMatchesTheScalarFormulaBitForBit(count: Int) throws {
        var rng = SeededGenerator(seed: 5)
        func values(_ scale: Float) -> [Float] { (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) * scale } }
        let param = values(1)
        let grad = values(0.1)
        let m1 = values(0.01)
        let m2 = values(0.001).map(abs)
        let (beta1, beta2, lrT, epsT): (Float, Float, Float, Float) = (0.9, 0.999, 0.003, 3e-10)
        var want = param
        var wantM1 = m1
        var wantM2 = m2
        for i in 0..<count {
            wantM1[i] = beta1 * m1[i] + (1 - beta1) * grad[i]
            wantM2[i] = beta2 * m2[i] + (1 - beta2) * grad[i] * grad[i]
            want[i] = param[i] - lrT * (wantM1[i] / (wantM2[i].squareRoot() + epsT))
        }
        let p = try Tensor(shape: [count], scalars: param)
        let g = try Tensor(shape: [count], scalars: grad)
        let a = try Tensor(shape: [count], scalars: m1)
        let b = try Tensor(shape: [count], scalars: m2)
        AdamStep(
            beta1: beta1, beta2: beta2, lrT: lrT, epsT: epsT, param: p.floats, grad: g.floats, moment1: a.floats,
            moment2: b.floats, paramOut: p.floats, moment1Out: a.floats, moment2Out: b.floats
        ).run(count: count)
        #expect(try p.scalars(as: Float.self) == want)
        #expect(try a.scalars(as: Float.self) == wantM1)
        #expect(try b.scalars(as: Float.self) == wantM2)
    }
}
