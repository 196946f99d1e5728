import Testing

@testable import Fluid

@Suite struct DropoutOpsTests {
    let x = Tensor.random([200, 500], in: 0.5...1.5, seed: 5)

    private func dropout(_ x: Tensor, _ attributes: [String: Attribute]) -> OpTest {
        OpTest("dropout", inputs: ["X": x], attributes: attributes, outputs: ["Out", "Mask"])
    }

    @Test(arguments: [("downgrade_in_infer", Float(0.3)), ("upscale_in_train", 0.3), ("upscale_in_train", 0.8)])
    func trainingKeepsOneMinusP(implementation: String, p: Float) throws {
        let out = try dropout(x, ["dropout_prob": .float(p), "dropout_implementation": .string(implementation)]).run()
        let mask = try #require(out["Mask"])
        let y = try #require(out["Out"])
        #expect(mask.dtype == .uint8 && mask.shape == x.shape)
        let m = try mask.scalars(as: UInt8.self)
        let xs = try x.scalars(as: Float.self)
        let ys = try y.scalars(as: Float.self)
        let kept = Double(m.filter { $0 == 1 }.count) / Double(m.count)
        #expect(abs(kept - Double(1 - p)) < 0.01, "kept fraction \(kept), expected \(1 - p)")
        #expect(m.allSatisfy { $0 <= 1 })
        let scale: Float = implementation == "upscale_in_train" ? 1 / (1 - p) : 1
        var worst: Float = 0
        for i in 0..<xs.count { worst = max(worst, abs(ys[i] - xs[i] * Float(m[i]) * scale)) }
        #expect(worst < 1e-5, "Out differs from X * Mask * \(scale) by \(worst)")
    }

    @Test func neighbouringElementsAreIndependent() throws {
        // Two elements come from one 64-bit draw: both halves must be used independently.
        let m = try dropout(x, ["dropout_prob": .float(0.5)]).output("Mask").scalars(as: UInt8.self)
        var both = 0
        for i in stride(from: 0, to: m.count - 1, by: 2) where m[i] == 1 && m[i + 1] == 1 { both += 1 }
        let fraction = Double(both) / Double(m.count / 2)
        #expect(abs(fraction - 0.25) < 0.01, "pairs kept together \(fraction), expected 0.25")
    }

    @Test func extremeProbabilities() throws {
        let small = Tensor.random([7, 9], seed: 2)
        let none = try dropout(
            small, ["dropout_prob": .float(1), "dropout_implementation": .string("upscale_in_train")]
        ).run()
        #expect(try #require(none["Out"]).scalars(as: Float.self).allSatisfy { $0 == 0 })
        #expect(try #require(none["Mask"]).scalars(as: UInt8.self).allSatisfy { $0 == 0 })
        let all = try dropout(
            small, ["dropout_prob": .float(0), "dropout_implementation": .string("upscale_in_train")]
        ).run()
        #expect(try #require(all["Out"]).scalars(as: Float.self) == small.scalars(as: Float.self))
    }

    @Test func testModeScalesByImplementation() throws {
        let small = Tensor.random([3, 5], seed: 4)
        let xs = try small.scalars(as: Float.self)
        try dropout(small, ["dropout_prob": .float(0.25), "is_test": .bool(true)])
            .checkOutput("Out", shape: [3, 5], expected: xs.map { $0 * 0.75 })
        try dropout(
            small,
            [
                "dropout_prob": .float(0.25), "is_test": .bool(true),
                "dropout_implementation": .string("upscale_in_train"),
            ]
        )
        .checkOutput("Out", shape: [3, 5], expected: xs)
    }

    @Test func fixedSeedRepeatsTheMaskEveryStep() throws {
        let t = dropout(x, ["dropout_prob": .float(0.5), "fix_seed": .bool(true), "seed": .int(42)])
        let exe = Executor()
        let scope = Scope()
        let program = t.program([t.forwardOp])
        let first = try exe.run(program, scope: scope, feed: t.feeds, fetch: [OpTest.outputName("Mask")])[0]
        let second = try exe.run(program, scope: scope, feed: t.feeds, fetch: [OpTest.outputName("Mask")])[0]
        #expect(try first.scalars(as: UInt8.self) == second.scalars(as: UInt8.self))
        let otherSeed = try dropout(x, ["dropout_prob": .float(0.5), "fix_seed": .bool(true), "seed": .int(43)]).output(
            "Mask")
        #expect(try first.scalars(as: UInt8.self) != otherSeed.scalars(as: UInt8.self))
    }

    @Test func unfixedSeedAdvancesAcrossStepsAndRepeatsAcrossRuns() throws {
        let t = dropout(x, ["dropout_prob": .float(0.5)])  // program random_seed 1 (OpTest)
        func twoSteps() throws -> [[UInt8]] {
            let exe = Executor()
            let scope = Scope()
            let program = t.program([t.forwardOp])
            return try (0..<2).map { _ in
                try exe.run(program, scope: scope, feed: t.feeds, fetch: [OpTest.outputName("Mask")])[0].scalars(
                    as: UInt8.self)
            }
        }
        let run1 = try twoSteps()
        let run2 = try twoSteps()
        #expect(run1[0] != run1[1], "the mask must change from step to step")
        #expect(run1 == run2, "the same program seed must give the same masks run after run")
    }

    @Test(arguments: ["downgrade_in_infer", "upscale_in_train"])
    func gradient(implementation: String) throws {
        let small = Tensor.random([4, 6], seed: 8)
        try dropout(
            small,
            [
                "dropout_prob": .float(0.4), "fix_seed": .bool(true), "seed": .int(3),
                "dropout_implementation": .string(implementation),
            ]
        )
        .checkGradient(["X"], of: ["Out"])
    }

    @Test(arguments: ["downgrade_in_infer", "upscale_in_train"])
    func testModeGradient(implementation: String) throws {
        let small = Tensor.random([4, 6], seed: 9)
        try dropout(
            small,
            ["dropout_prob": .float(0.4), "is_test": .bool(true), "dropout_implementation": .string(implementation)]
        )
        .checkGradient(["X"], of: ["Out"])
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let t = dropout(x, [:])
        let rule = try #require(try OpRegistry.definition("dropout").gradient)
        let g = try #require(rule(GradientContext(op: t.forwardOp, needsGradient: { _ in true })).first)
        #expect(
            g.type == "dropout_grad" && g.input("Mask") == ["out.Mask.0"] && g.input("Out@GRAD") == ["out.Out.0@GRAD"])
        #expect(g.output("X@GRAD") == ["X.0@GRAD"])
    }

    @Test func invalidAttributesAreReported() throws {
        let bad = dropout(Tensor.random([2, 2], seed: 1), ["dropout_implementation": .string("sometimes")])
        let error = #expect(throws: FluidError.self) { try bad.run() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("dropout_implementation"))
        let badP = dropout(Tensor.random([2, 2], seed: 1), ["dropout_prob": .float(1.5)])
        #expect(throws: FluidError.self) { try badP.run() }
    }

    @Test func maskShapeMismatchIsReported() throws {
        let op = OpDesc(type: "dropout_grad", inputs: ["Mask": ["m"], "Out@GRAD": ["g"]], outputs: ["X@GRAD": ["dx"]])
        let metas = ["m": TensorMeta(.uint8, [2, 5]), "g": TensorMeta(.float32, [2, 6])]
        let error = #expect(throws: FluidError.self) { try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        let text = error.map { "\($0)" } ?? ""
        #expect(
            text.contains("dropout_grad") && text.contains("'Mask'") && text.contains("[2, 5]")
                && text.contains("[2, 6]"), "\(text)")
    }
}
