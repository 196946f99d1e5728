import Foundation
import Testing

@testable import Fluid

/// Optimizers through `minimize` on loss = sum(w * c), whose gradient is c, checked over two
/// steps against updates computed by hand.
@Suite struct MinimizeTests {
    let w0: [Float] = [0.5, -1.0, 2.0]
    let c: [Float] = [3.0, -4.0, 0.5]

    func train(_ optimizer: some Optimizer, steps: Int = 2) throws -> (weights: [Float], main: Program) {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let x = net.data("c", shape: [3])
        main.globalBlock.addVar(VarDesc(name: "w", shape: [3], persistable: true, isParameter: true))
        let w = Variable(name: "w", dtype: .float32, shape: [3])
        let loss = try net.reduceSum(try net.multiply(w, x))
        try optimizer.minimize(loss, program: main, startup: startup)
        let exe = Executor()
        let scope = Scope()
        try exe.run(startup, scope: scope)
        try scope.set("w", Tensor(shape: [3], scalars: w0))
        for _ in 0..<steps { try exe.run(main, scope: scope, feed: ["c": Tensor(shape: [3], scalars: c)]) }
        return try (scope["w"]!.scalars(as: Float.self), main)
    }

    func expectClose(_ got: [Float], _ want: [Float], _ what: String) {
        for (g, w) in zip(got, want) { #expect(abs(g - w) <= 1e-5 * (1 + abs(w)), "\(what): \(got) vs \(want)") }
    }

    @Test func sgdWithL2Decay() throws {
        let (w, main) = try train(SGD(learningRate: 0.1, regularization: .l2(0.5)))
        var want = w0
        for _ in 0..<2 { want = (0..<3).map { want[$0] - 0.1 * (c[$0] + 0.5 * want[$0]) } }
        expectClose(w, want, "sgd + L2")
        #expect(main.globalBlock.ops.contains { $0.type == "sgd" && $0.role == .optimize })
        #expect(main.globalBlock.findVar("learning_rate_0")?.persistable == true)
    }

    @Test func sgdWithL1Decay() throws {
        let (w, _) = try train(SGD(learningRate: 0.1, regularization: .l1(0.5)))
        var want = w0
        for _ in 0..<2 { want = (0..<3).map { want[$0] - 0.1 * (c[$0] + 0.5 * (want[$0] > 0 ? 1 : -1)) } }
        expectClose(w, want, "sgd + L1")
    }

    @Test func clipByValue() throws {
        let (w, _) = try train(SGD(learningRate: 0.1, gradientClip: .byValue(min: -1, max: 1)))
        let want = (0..<3).map { w0[$0] - 2 * 0.1 * min(max(c[$0], -1), 1) }
        expectClose(w, want, "clip by value")
    }

    @Test func clipByNorm() throws {
        let (w, _) = try train(SGD(learningRate: 0.1, gradientClip: .byNorm(1)))
        let norm = c.map { $0 * $0 }.reduce(0, +).squareRoot()
        let want = (0..<3).map { w0[$0] - 2 * 0.1 * c[$0] / norm }
        expectClose(w, want, "clip by norm")
    }

    @Test func clipByGlobalNorm() throws {
        let (w, _) = try train(SGD(learningRate: 0.1, gradientClip: .byGlobalNorm(2)))
        let norm = c.map { $0 * $0 }.reduce(0, +).squareRoot()
        let want = (0..<3).map { w0[$0] - 2 * 0.1 * c[$0] * 2 / norm }
        expectClose(w, want, "clip by global norm")
    }

    @Test func momentumAndAdamAccumulatorsAreNamedAsPaddle() throws {
        let (_, momentum) = try train(Momentum(learningRate: 0.1), steps: 1)
        #expect(momentum.globalBlock.findVar("w_velocity_0")?.persistable == true)
        let (w, adam) = try train(Adam(learningRate: 0.01), steps: 1)
        for name in ["w_moment1_0", "w_moment2_0", "w_beta1_pow_acc_0", "w_beta2_pow_acc_0"] {
            #expect(adam.globalBlock.findVar(name)?.persistable == true, "\(name)")
        }
        // First Adam step moves each weight by lr against the gradient's sign (m_hat/sqrt(v_hat) = sign(g)).
        expectClose(w, (0..<3).map { w0[$0] - 0.01 * (c[$0] > 0 ? 1 : -1) }, "adam first step")
    }

    @Test(arguments: [false, true]) func momentumSteps(nesterov: Bool) throws {
        let (w, _) = try train(Momentum(learningRate: 0.1, momentum: 0.5, useNesterov: nesterov))
        // The gradient is c at every step: v1 = c, v2 = 1.5 c; Nesterov steps by g + mu * v.
        let steps: Float = nesterov ? (1 + 0.5) + (1 + 0.5 * 1.5) : 1 + 1.5
        let want = (0..<3).map { w0[$0] - 0.1 * steps * c[$0] }
        expectClose(w, want, nesterov ? "nesterov momentum" : "momentum")
    }

    @Test func scheduledLearningRateDrivesTheUpdate() throws {
        let (w, main) = try train(SGD(learningRate: 0.1, schedule: .piecewise(boundaries: [1], values: [0.1, 0.01])))
        expectClose(w, (0..<3).map { w0[$0] - 0.1 * c[$0] - 0.01 * c[$0] }, "piecewise schedule")
        #expect(main.globalBlock.ops.contains { $0.type == "lr_schedule" && $0.role == .lrSched })
    }
}
