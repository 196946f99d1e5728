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
        for (name, t) in state { p.globalBlock.addVar(VarDesc(name: name, dtype: t.dtype, shape: t.shape, persistable: true)) }
        p.globalBlock.addVar(VarDesc(name: "g", shape: [3]))
        p.globalBlock.appendOp(op)
        let scope = Scope(), exe = Executor()
        for (name, t) in state { scope.set(name, t) }
        for g in grads { try exe.run(p, scope: scope, feed: ["g": Tensor(shape: [3], scalars: g)]) }
        return scope
    }

    func expectClose(_ got: [Float], _ want: [Double], _ what: String, tolerance: Double = 1e-6) {
        for (g, w) in zip(got, want) { #expect(abs(Double(g) - w) <= tolerance * (1 + abs(w)), "\(what): \(got) vs \(want)") }
    }

    @Test func sgd() throws {
        let op = OpDesc(type: "sgd", inputs: ["Param": ["p"], "Grad": ["g"], "LearningRate": ["lr"]], outputs: ["ParamOut": ["p"]])
        let scope = try runTwoSteps(op, state: ["p": Tensor(shape: [3], scalars: param), "lr": Tensor(shape: [], scalars: [0.1] as [Float])])
        let want = (0..<3).map { Double(param[$0]) - 0.1 * Double(grads[0][$0]) - 0.1 * Double(grads[1][$0]) }
        try expectClose(scope["p"]!.scalars(as: Float.self), want, "sgd")
    }

    @Test(arguments: [false, true]) func momentum(nesterov: Bool) throws {
        let op = OpDesc(type: "momentum", inputs: ["Param": ["p"], "Grad": ["g"], "Velocity": ["v"], "LearningRate": ["lr"]],
                        outputs: ["ParamOut": ["p"], "VelocityOut": ["v"]], attributes: ["mu": .float(0.9), "use_nesterov": .bool(nesterov)])
        let scope = try runTwoSteps(op, state: ["p": Tensor(shape: [3], scalars: param), "v": Tensor(shape: [3], scalars: [0, 0, 0] as [Float]),
                                                "lr": Tensor(shape: [], scalars: [0.1] as [Float])])
        var want: [Double] = [], wantV: [Double] = []
        for i in 0..<3 {
            var p = Double(param[i]), v = 0.0
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

    @Test func adam() throws {
        let op = OpDesc(type: "adam",
                        inputs: ["Param": ["p"], "Grad": ["g"], "LearningRate": ["lr"], "Moment1": ["m1"], "Moment2": ["m2"],
                                 "Beta1Pow": ["b1"], "Beta2Pow": ["b2"]],
                        outputs: ["ParamOut": ["p"], "Moment1Out": ["m1"], "Moment2Out": ["m2"], "Beta1PowOut": ["b1"], "Beta2PowOut": ["b2"]],
                        attributes: ["beta1": .float(0.9), "beta2": .float(0.999), "epsilon": .float(1e-8)])
        let zeros = try Tensor(shape: [3], scalars: [0, 0, 0] as [Float])
        let scope = try runTwoSteps(op, state: [
            "p": Tensor(shape: [3], scalars: param), "m1": zeros, "m2": zeros.clone(),
            "b1": Tensor(shape: [1], scalars: [0.9] as [Float]), "b2": Tensor(shape: [1], scalars: [0.999] as [Float]),
            "lr": Tensor(shape: [], scalars: [0.01] as [Float]),
        ])
        // Textbook Adam with bias correction: lr * m_hat / (sqrt(v_hat) + eps).
        var want: [Double] = []
        for i in 0..<3 {
            var p = Double(param[i]), m = 0.0, v = 0.0
            for (t, g) in grads.map({ Double($0[i]) }).enumerated() {
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                let mHat = m / (1 - pow(0.9, Double(t + 1))), vHat = v / (1 - pow(0.999, Double(t + 1)))
                p -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
            want.append(p)
        }
        try expectClose(scope["p"]!.scalars(as: Float.self), want, "adam param", tolerance: 1e-5)
        try expectClose(scope["b1"]!.scalars(as: Float.self), [0.9 * 0.9 * 0.9], "beta1 pow")
        try expectClose(scope["b2"]!.scalars(as: Float.self), [0.999 * 0.999 * 0.999], "beta2 pow")
    }

    @Test func clipOps() throws {
        let x = try Tensor(shape: [4], scalars: [-3, -0.5, 0.25, 4] as [Float])
        try OpTest("clip", inputs: ["X": x], attributes: ["min": .float(-1), "max": .float(2)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: [-1, -0.5, 0.25, 2])
        try OpTest("clip", inputs: ["X": x], attributes: ["min": .float(-1), "max": .float(2)], outputs: ["Out"])
            .checkGradient(["X"], of: ["Out"])
        let norm = (9 + 0.25 + 0.0625 + 16 as Float).squareRoot()
        try OpTest("clip_by_norm", inputs: ["X": x], attributes: ["max_norm": .float(2)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: x.scalars(as: Float.self).map { $0 * 2 / norm })
        try OpTest("clip_by_norm", inputs: ["X": x], attributes: ["max_norm": .float(10)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: x.scalars(as: Float.self))
        try OpTest("squared_l2_norm", inputs: ["X": x], outputs: ["Out"]).checkOutput("Out", shape: [1], expected: [norm * norm])
    }

    @Test func sqrtAndSign() throws {
        let x = try Tensor(shape: [3], scalars: [0.25, 4, 9] as [Float])
        try OpTest("sqrt", inputs: ["X": x], outputs: ["Out"]).checkOutput("Out", shape: [3], expected: [0.5, 2, 3])
        try OpTest("sqrt", inputs: ["X": x], outputs: ["Out"]).checkGradient(["X"], of: ["Out"])
        let y = try Tensor(shape: [3], scalars: [-2, 0, 0.1] as [Float])
        try OpTest("sign", inputs: ["X": y], outputs: ["Out"]).checkOutput("Out", shape: [3], expected: [-1, 0, 1])
    }

    @Test func learningRateSchedules() throws {
        func rates(_ schedule: LearningRateSchedule, base: Float, steps: Int) throws -> [Float] {
            let p = Program()
            p.globalBlock.addVar(VarDesc(name: "step", shape: [1], persistable: true))
            p.globalBlock.addVar(VarDesc(name: "base", shape: [], persistable: true))
            p.globalBlock.appendOp(OpDesc(type: "increment", inputs: ["X": ["step"]], outputs: ["Out": ["step"]], attributes: ["step": .float(1)]))
            p.globalBlock.appendOp(OpDesc(type: "lr_schedule", inputs: ["Step": ["step"], "BaseRate": ["base"]], outputs: ["Out": ["lr"]],
                                          attributes: try schedule.attributes()))
            let scope = Scope(), exe = Executor()
            try scope.set("step", Tensor(shape: [1], scalars: [0] as [Float]))
            try scope.set("base", Tensor(shape: [], scalars: [base]))
            return try (0..<steps).map { _ in try exe.run(p, scope: scope, fetch: ["lr"])[0].scalar(as: Float.self) }
        }
        let exp = try rates(.exponential(decaySteps: 2, decayRate: 0.5, staircase: true), base: 1, steps: 5)
        #expect(exp == [1, 1, 0.5, 0.5, 0.25])
        let smooth = try rates(.exponential(decaySteps: 2, decayRate: 0.5, staircase: false), base: 1, steps: 2)
        #expect(abs(smooth[1] - Float(0.5.squareRoot())) < 1e-6)
        #expect(try rates(.piecewise(boundaries: [2, 4], values: [1, 0.1, 0.01]), base: 1, steps: 5) == [1, 1, 0.1, 0.1, 0.01])
        let cosine = try rates(.cosine(stepsPerEpoch: 2, epochs: 2), base: 2, steps: 4)
        #expect(cosine[0] == 2 && cosine[1] == 2 && abs(cosine[2] - 1) < 1e-6)
        let warm = try rates(.warmup(steps: 4, startRate: 0, then: nil), base: 1, steps: 6)
        #expect(warm == [0, 0.25, 0.5, 0.75, 1, 1])
    }
}
