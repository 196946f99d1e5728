import Foundation
import Testing

@testable import Fluid

/// Naive batch statistics of an [N, C, S] tensor (S = H*W, 1 for rank 2): mean and biased variance.
private func naiveStats(_ x: [Float], n: Int, c: Int, s: Int) -> (mean: [Double], variance: [Double]) {
    var mean = [Double](repeating: 0, count: c)
    var variance = [Double](repeating: 0, count: c)
    for ch in 0..<c {
        var values: [Double] = []
        for b in 0..<n { for p in 0..<s { values.append(Double(x[(b * c + ch) * s + p])) } }
        mean[ch] = values.reduce(0, +) / Double(values.count)
        variance[ch] = values.map { ($0 - mean[ch]) * ($0 - mean[ch]) }.reduce(0, +) / Double(values.count)
    }
    return (mean, variance)
}

/// Naive y = (x - mean) / sqrt(var + eps) * scale + bias over [N, C, S].
private func naiveNormalize(
    _ x: [Float], n: Int, c: Int, s: Int, mean: [Double], variance: [Double],
    scale: [Float], bias: [Float], eps: Double = 1e-5
) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    for b in 0..<n {
        for ch in 0..<c {
            for p in 0..<s {
                let i = (b * c + ch) * s + p
                y[i] = Float(
                    (Double(x[i]) - mean[ch]) / (variance[ch] + eps).squareRoot() * Double(scale[ch]) + Double(bias[ch])
                )
            }
        }
    }
    return y
}

private func floats(_ t: Tensor) -> [Float] { t.uncheckedScalars(as: Float.self) }

@Suite struct BatchNormOpsTests {
    let scale = Tensor.literal([3], [1.5, 0.7, -1.2] as [Float])
    let bias = Tensor.literal([3], [0.1, -0.3, 0.5] as [Float])
    let runningMean = Tensor.literal([3], [0.2, -0.1, 0.4] as [Float])
    let runningVariance = Tensor.literal([3], [1.3, 0.6, 2.0] as [Float])
    static let outputs = ["Y", "MeanOut", "VarianceOut", "SavedMean", "SavedVariance"]

    func op(_ x: Tensor, _ attributes: [String: Attribute] = [:]) -> OpTest {
        OpTest(
            "batch_norm",
            inputs: ["X": x, "Scale": scale, "Bias": bias, "Mean": runningMean, "Variance": runningVariance],
            attributes: attributes, outputs: Self.outputs)
    }

    @Test(arguments: [[4, 3, 2, 3], [5, 3]])
    func training(shape: [Int]) throws {
        let x = Tensor.random(shape, in: -2...3, seed: 11)
        let (n, c, s) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
        let (mean, variance) = naiveStats(floats(x), n: n, c: c, s: s)
        let t = op(x, ["momentum": .float(0.8)])
        let out = try t.run()
        let expectedY = naiveNormalize(
            floats(x), n: n, c: c, s: s, mean: mean, variance: variance,
            scale: floats(scale), bias: floats(bias))
        let m0 = floats(runningMean)
        let v0 = floats(runningVariance)
        let checks: [(String, [Float])] = [
            ("Y", expectedY),
            ("SavedMean", mean.map { Float($0) }),
            ("SavedVariance", variance.map { Float(1 / ($0 + 1e-5).squareRoot()) }),  // inverse std
            ("MeanOut", (0..<c).map { Float(Double(m0[$0]) * 0.8 + mean[$0] * 0.2) }),
            ("VarianceOut", (0..<c).map { Float(Double(v0[$0]) * 0.8 + variance[$0] * 0.2) }),  // biased
        ]
        for (slot, expected) in checks {
            let got = try #require(out[slot])
            #expect(got.count == expected.count, "\(slot)")
            for (a, b) in zip(floats(got), expected) {
                #expect(abs(a - b) <= 1e-4 * (1 + abs(b)), "\(slot): \(a) vs \(b)")
            }
        }
        #expect(out["Y"]?.shape == shape)
    }

    @Test(arguments: [
        ([4, 3, 2, 3], ["is_test": Attribute.bool(true)]),
        ([5, 3], ["is_test": .bool(true)]),
        ([4, 3, 2, 2], ["use_global_stats": .bool(true)]),
    ])
    func globalStatistics(shape: [Int], attributes: [String: Attribute]) throws {
        let x = Tensor.random(shape, in: -2...3, seed: 12)
        let (n, c, s) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
        let t = op(x, attributes)
        let expectedY = naiveNormalize(
            floats(x), n: n, c: c, s: s, mean: floats(runningMean).map(Double.init),
            variance: floats(runningVariance).map(Double.init), scale: floats(scale), bias: floats(bias))
        try t.checkOutput("Y", shape: shape, expected: expectedY, tolerance: 1e-5)
        try t.checkOutput("MeanOut", shape: [3], expected: floats(runningMean))
        try t.checkOutput("VarianceOut", shape: [3], expected: floats(runningVariance))
    }

    @Test func trainableStatisticsInTestModeUseTheBatch() throws {
        let x = Tensor.random([4, 3, 2, 2], in: -2...3, seed: 13)
        let (mean, variance) = naiveStats(floats(x), n: 4, c: 3, s: 4)
        let t = op(x, ["is_test": .bool(true), "trainable_statistics": .bool(true)])
        try t.checkOutput("SavedMean", shape: [3], expected: mean.map { Float($0) })
        try t.checkOutput(
            "Y", shape: [4, 3, 2, 2],
            expected: naiveNormalize(
                floats(x), n: 4, c: 3, s: 4, mean: mean, variance: variance,
                scale: floats(scale), bias: floats(bias)), tolerance: 1e-4)
    }

    @Test func channelsLast() throws {
        // NHWC [2, 2, 2, 3]: the reference transposes to NCHW, normalizes, transposes back.
        let x = Tensor.random([2, 2, 2, 3], in: -2...3, seed: 14)
        let v = floats(x)
        var nchw = [Float](repeating: 0, count: v.count)
        for b in 0..<2 { for p in 0..<4 { for ch in 0..<3 { nchw[(b * 3 + ch) * 4 + p] = v[(b * 4 + p) * 3 + ch] } } }
        let (mean, variance) = naiveStats(nchw, n: 2, c: 3, s: 4)
        let yNCHW = naiveNormalize(
            nchw, n: 2, c: 3, s: 4, mean: mean, variance: variance, scale: floats(scale), bias: floats(bias))
        var expected = [Float](repeating: 0, count: v.count)
        for b in 0..<2 {
            for p in 0..<4 { for ch in 0..<3 { expected[(b * 4 + p) * 3 + ch] = yNCHW[(b * 3 + ch) * 4 + p] } }
        }
        try op(x, ["data_layout": .string("NHWC")]).checkOutput(
            "Y", shape: [2, 2, 2, 3], expected: expected, tolerance: 1e-4)
    }

    /// MeanOut and VarianceOut are the same variables as Mean and Variance, as in Paddle's programs.
    @Test func runningStatisticsUpdateInPlace() throws {
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "x", shape: [4, 3, 2, 2]))
        for name in ["scale", "bias", "mean", "variance"] {
            b.addVar(VarDesc(name: name, shape: [3], persistable: true))
        }
        b.appendOp(
            OpDesc(
                type: "batch_norm",
                inputs: [
                    "X": ["x"], "Scale": ["scale"], "Bias": ["bias"], "Mean": ["mean"], "Variance": ["variance"],
                    "MomentumTensor": [],
                ],
                outputs: [
                    "Y": ["y"], "MeanOut": ["mean"], "VarianceOut": ["variance"], "SavedMean": ["saved_mean"],
                    "SavedVariance": ["saved_variance"], "ReserveSpace": ["reserve"],
                ]))
        let scope = Scope()
        for (name, t) in [("scale", scale), ("bias", bias), ("mean", runningMean), ("variance", runningVariance)] {
            scope.set(name, t)
        }
        let exe = Executor()
        var m = floats(runningMean).map(Double.init)
        var v = floats(runningVariance).map(Double.init)
        for step in 0..<2 {
            let x = Tensor.random([4, 3, 2, 2], in: -2...3, seed: 20 + UInt64(step))
            let (bm, bv) = naiveStats(floats(x), n: 4, c: 3, s: 4)
            let y = try exe.run(p, scope: scope, feed: ["x": x], fetch: ["y"])[0]
            m = (0..<3).map { m[$0] * 0.9 + bm[$0] * 0.1 }
            v = (0..<3).map { v[$0] * 0.9 + bv[$0] * 0.1 }
            let expectedY = naiveNormalize(
                floats(x), n: 4, c: 3, s: 4, mean: bm, variance: bv, scale: floats(scale), bias: floats(bias))
            for (a, e) in zip(floats(y), expectedY) { #expect(abs(a - e) <= 1e-4 * (1 + abs(e))) }
        }
        let mean = try #require(scope["mean"])
        let variance = try #require(scope["variance"])
        for c in 0..<3 {
            #expect(abs(Double(floats(mean)[c]) - m[c]) < 1e-5, "mean[\(c)] \(floats(mean)[c]) vs \(m[c])")
            #expect(abs(Double(floats(variance)[c]) - v[c]) < 1e-5, "variance[\(c)] \(floats(variance)[c]) vs \(v[c])")
        }
    }

    @Test(arguments: [[3, 3, 2, 2], [6, 3]])
    func trainingGradient(shape: [Int]) throws {
        let x = Tensor.random(shape, in: -2...2, seed: 15)
        try op(x).checkGradient(["X", "Scale", "Bias"], of: ["Y"])
    }

    @Test func channelsLastGradient() throws {
        let x = Tensor.random([2, 2, 2, 3], in: -2...2, seed: 17)
        // 8 values per channel leave some of d loss / d X near 4e-3, where float32 rounding of the
        // loss puts ~1e-4 of noise into the central difference; a layout error is off by ~100%.
        try op(x, ["data_layout": .string("NHWC")]).checkGradient(
            ["X", "Scale", "Bias"], of: ["Y"], maxRelativeError: 5e-2)
    }

    @Test func testModeGradient() throws {
        let x = Tensor.random([2, 3, 2, 2], in: -2...2, seed: 16)
        try op(x, ["is_test": .bool(true)]).checkGradient(["X", "Scale", "Bias"], of: ["Y"])
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let t = op(Tensor.random([2, 3], seed: 1))
        let rule = try #require(try OpRegistry.definition("batch_norm").gradient)
        let grads = rule(GradientContext(op: t.forwardOp, needsGradient: { $0 != "Scale.0" }))
        let g = try #require(grads.first)
        #expect(grads.count == 1 && g.type == "batch_norm_grad")
        #expect(g.input("SavedMean") == ["out.SavedMean.0"] && g.input("SavedVariance") == ["out.SavedVariance.0"])
        #expect(g.input("MeanOut") == ["out.MeanOut.0"] && g.input("Y@GRAD") == ["out.Y.0@GRAD"])
        #expect(g.output("X@GRAD") == ["X.0@GRAD"] && g.output("Bias@GRAD") == ["Bias.0@GRAD"])
        #expect(g.output("Scale@GRAD").isEmpty)
    }

    @Test func channelMismatchIsReported() throws {
        let op = OpDesc(
            type: "batch_norm",
            inputs: ["X": ["x"], "Scale": ["s"], "Bias": ["b"], "Mean": ["m"], "Variance": ["v"]],
            outputs: ["Y": ["y"], "MeanOut": ["m"], "VarianceOut": ["v"], "SavedMean": ["sm"], "SavedVariance": ["sv"]])
        let metas = [
            "x": TensorMeta(.float32, [-1, 3, 5, 5]), "s": TensorMeta(.float32, [4]), "b": TensorMeta(.float32, [3]),
            "m": TensorMeta(.float32, [3]), "v": TensorMeta(.float32, [3]),
        ]
        let error = #expect(throws: FluidError.self) { try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        let text = error.map { "\($0)" } ?? ""
        #expect(
            text.contains("batch_norm") && text.contains("'Scale'") && text.contains("[4]")
                && text.contains("[-1, 3, 5, 5]"), "\(text)")
    }

    @Test func rankOneInputIsReported() throws {
        let op = OpDesc(
            type: "batch_norm",
            inputs: ["X": ["x"], "Scale": ["s"], "Bias": ["s"], "Mean": ["s"], "Variance": ["s"]],
            outputs: ["Y": ["y"]])
        let metas = ["x": TensorMeta(.float32, [7]), "s": TensorMeta(.float32, [7])]
        let error = #expect(throws: FluidError.self) { try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("batch_norm") && text.contains("'X'") && text.contains("[7]"), "\(text)")
    }
}
