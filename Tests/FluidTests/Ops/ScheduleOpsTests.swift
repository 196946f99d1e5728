import Testing

@testable import Fluid

/// `lr_schedule` driven by `increment`, against each schedule's closed form.
@Suite struct ScheduleOpsTests {
    @Test func learningRateSchedules() throws {
        func rates(_ schedule: LearningRateSchedule, base: Float, steps: Int) throws -> [Float] {
            let p = Program()
            p.globalBlock.addVar(VarDesc(name: "step", shape: [1], persistable: true))
            p.globalBlock.addVar(VarDesc(name: "base", shape: [], persistable: true))
            p.globalBlock.appendOp(
                OpDesc(
                    type: "increment", inputs: ["X": ["step"]], outputs: ["Out": ["step"]],
                    attributes: ["step": .float(1)]))
            p.globalBlock.appendOp(
                OpDesc(
                    type: "lr_schedule", inputs: ["Step": ["step"], "BaseRate": ["base"]], outputs: ["Out": ["lr"]],
                    attributes: try schedule.attributes()))
            let scope = Scope()
            let exe = Executor()
            try scope.set("step", Tensor(shape: [1], scalars: [0] as [Float]))
            try scope.set("base", Tensor(shape: [], scalars: [base]))
            return try (0..<steps).map { _ in try exe.run(p, scope: scope, fetch: ["lr"])[0].scalar(as: Float.self) }
        }
        let exp = try rates(.exponential(decaySteps: 2, decayRate: 0.5, staircase: true), base: 1, steps: 5)
        #expect(exp == [1, 1, 0.5, 0.5, 0.25])
        let smooth = try rates(.exponential(decaySteps: 2, decayRate: 0.5, staircase: false), base: 1, steps: 2)
        #expect(abs(smooth[1] - Float(0.5.squareRoot())) < 1e-6)
        #expect(
            try rates(.piecewise(boundaries: [2, 4], values: [1, 0.1, 0.01]), base: 1, steps: 5) == [
                1, 1, 0.1, 0.1, 0.01,
            ])
        let cosine = try rates(.cosine(stepsPerEpoch: 2, epochs: 2), base: 2, steps: 4)
        #expect(cosine[0] == 2 && cosine[1] == 2 && abs(cosine[2] - 1) < 1e-6)
        let warm = try rates(.warmup(steps: 4, startRate: 0, then: nil), base: 1, steps: 6)
        #expect(warm == [0, 0.25, 0.5, 0.75, 1, 1])
    }
}
