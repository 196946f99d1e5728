import Testing

@testable import Fluid

@Suite struct ConvBatchNormFoldTests {
    private let input = Tensor.random([2, 3, 7, 7], seed: 21)

    /// conv2d (with or without its bias add) then batch_norm, then relu reading batch_norm's Y.
    private func convBN(bias: Bool, isTest: Bool = true, alsoFetchConv: Bool = false) throws -> (
        PassFixture, out: String, conv: String
    ) {
        var names = ("", "")
        let f = try PassFixture(seed: 9) { net in
            let img = net.data("img", shape: [-1, 3, 7, 7])
            let conv = try net.conv2d(img, filters: 4, size: 3, padding: 1, bias: bias ? ParamAttr() : nil)
            let out = try net.relu(try net.batchNorm(conv, isTest: isTest))
            names = (out.name, conv.name)
            if alsoFetchConv { _ = try net.sigmoid(conv) }
        }
        return (f, names.0, names.1)
    }

    private func checkFold(bias: Bool) throws {
        let (f, out, _) = try convBN(bias: bias)
        let p = f.main.copy()
        let filter = try f.scope["conv2d_0.w_0"]!.scalars(as: Float.self)
        let report = try ConvBatchNormFold().apply(to: p, scope: f.scope)
        #expect(report.fusions == 1)
        #expect(opTypes(p) == ["conv2d", "elementwise_add", "relu"])
        let conv = p.globalBlock.ops[0]
        let add = p.globalBlock.ops[1]
        let newFilter = try #require(conv.input("Filter").first)
        #expect(newFilter != "conv2d_0.w_0" && p.globalBlock.findVar(newFilter)?.persistable == true)
        #expect(
            add.attributes["axis"] == .int(1) && add.output("Out") == ["batch_norm_0.tmp_3"],
            "batch_norm's Y keeps its name")
        #expect(p.globalBlock.findVar(add.input("Y")[0])?.persistable == true)
        #expect(p.globalBlock.findVar("batch_norm_0.w_1") == nil, "the running mean is no longer part of the program")
        #expect(try f.scope["conv2d_0.w_0"]!.scalars(as: Float.self) == filter, "the original filter is untouched")

        let before = try f.run(f.main, feed: ["img": input], fetch: [out])
        let after = try f.run(p, feed: ["img": input], fetch: [out])
        expectClose(after, before, absolute: 1e-5)
    }

    @Test func foldsConvBiasAndBatchNorm() throws { try checkFold(bias: true) }

    @Test func foldsConvWithoutBias() throws { try checkFold(bias: false) }

    @Test func foldedParametersFollowTheFormula() throws {
        // One channel by hand: W' = W * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta.
        let (f, _, _) = try convBN(bias: true)
        let p = f.main.copy()
        try ConvBatchNormFold().apply(to: p, scope: f.scope)
        let s = { (name: String) in f.scope[name]!.uncheckedScalars(as: Float.self) }
        let g = s("batch_norm_0.w_0")
        let beta = s("batch_norm_0.b_0")
        let m = s("batch_norm_0.w_1")
        let v = s("batch_norm_0.w_2")
        let w = s("conv2d_0.w_0")
        let b = s("conv2d_0.b_0")
        let w2 = s(p.globalBlock.ops[0].input("Filter")[0])
        let b2 = s(p.globalBlock.ops[1].input("Y")[0])
        for c in 0..<4 {
            let alpha = g[c] / (v[c] + 1e-5).squareRoot()
            #expect(abs(b2[c] - ((b[c] - m[c]) * alpha + beta[c])) < 1e-5)
            for i in c * 27..<(c + 1) * 27 { #expect(abs(w2[i] - w[i] * alpha) < 1e-5) }
        }
    }

    @Test func convOutputReadElsewhereIsNotFolded() throws {
        let (f, _, _) = try convBN(bias: false, alsoFetchConv: true)
        let p = f.main.copy()
        let report = try ConvBatchNormFold().apply(to: p, scope: f.scope)
        #expect(report.fusions == 0 && p.globalBlock.ops == f.main.globalBlock.ops)
        // Fetching the conv output protects it the same way.
        let (g, _, conv) = try convBN(bias: false)
        let q = g.main.copy()
        #expect(try ConvBatchNormFold(fetches: [conv]).apply(to: q, scope: g.scope).fusions == 0)
    }

    @Test func trainingBatchNormIsNotFolded() throws {
        let (f, _, _) = try convBN(bias: true, isTest: false)
        let p = f.main.copy()
        #expect(try ConvBatchNormFold().apply(to: p, scope: f.scope).fusions == 0)
        #expect(p.globalBlock.ops == f.main.globalBlock.ops)
    }

    @Test func channelLastBatchNormIsNotFolded() throws {
        let (f, _, _) = try convBN(bias: true)
        let p = f.main.copy()
        p.globalBlock.ops = p.globalBlock.ops.map { op in
            var op = op
            if op.type == "batch_norm" { op.attributes["data_layout"] = .string("NHWC") }
            return op
        }
        let ops = p.globalBlock.ops
        #expect(try ConvBatchNormFold().apply(to: p, scope: f.scope).fusions == 0)
        #expect(p.globalBlock.ops == ops)
    }

    @Test func needsTheScope() throws {
        let (f, _, _) = try convBN(bias: true)
        let message = thrownMessage { try ConvBatchNormFold().apply(to: f.main.copy(), scope: nil) }
        #expect(message?.contains("scope") == true, "\(message ?? "no error")")
    }
}
