import Testing

@testable import Fluid

/// conv2d against a direct convolution written with plain loops, conv2d_grad against finite
/// differences and against the direct convolution's own adjoint.
@Suite struct ConvOpsTests {
    struct Case {
        var input: [Int], filter: [Int]
        var strides = [1, 1], dilations = [1, 1], groups = 1
        var paddings = [0, 0], algorithm = "EXPLICIT"
        /// Padding the reference applies: [top, bottom, left, right], worked out by hand for SAME.
        var referencePadding: [Int]? = nil
        var referenceDilations: [Int]? = nil

        var attributes: [String: Attribute] {
            [
                "strides": .ints(strides.map(Int32.init)), "dilations": .ints(dilations.map(Int32.init)),
                "groups": .int(Int32(groups)), "paddings": .ints(paddings.map(Int32.init)),
                "padding_algorithm": .string(algorithm),
            ]
        }

        var pad: [Int] {
            if let referencePadding { return referencePadding }
            if algorithm == "VALID" { return [0, 0, 0, 0] }
            return paddings.count == 2 ? [paddings[0], paddings[0], paddings[1], paddings[1]] : paddings
        }

        func test() -> OpTest {
            OpTest(
                "conv2d", inputs: ["Input": Tensor.random(input, seed: 3), "Filter": Tensor.random(filter, seed: 5)],
                attributes: attributes, outputs: ["Output"])
        }

        /// Output shape and values of the direct convolution.
        func reference(_ x: [Float], _ w: [Float]) -> (shape: [Int], values: [Float]) {
            let (n, c, h, wd) = (input[0], input[1], input[2], input[3])
            let (m, cg, kh, kw) = (filter[0], filter[1], filter[2], filter[3])
            let d = referenceDilations ?? dilations
            let p = pad
            let oh = (h + p[0] + p[1] - (d[0] * (kh - 1) + 1)) / strides[0] + 1
            let ow = (wd + p[2] + p[3] - (d[1] * (kw - 1) + 1)) / strides[1] + 1
            var out = [Float](repeating: 0, count: n * m * oh * ow)
            let mg = m / groups
            for b in 0..<n {
                for o in 0..<m {
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            var s = 0.0  // in Double, so only the kernel's float32 rounding remains
                            let group = o / mg
                            for ci in 0..<cg {
                                for i in 0..<kh {
                                    for j in 0..<kw {
                                        let iy = y * strides[0] - p[0] + i * d[0]
                                        let ix = xo * strides[1] - p[2] + j * d[1]
                                        guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                                        let channel = group * cg + ci
                                        s +=
                                            Double(x[((b * c + channel) * h + iy) * wd + ix])
                                            * Double(w[((o * cg + ci) * kh + i) * kw + j])
                                    }
                                }
                            }
                            out[((b * m + o) * oh + y) * ow + xo] = Float(s)
                        }
                    }
                }
            }
            return ([n, m, oh, ow], out)
        }

        /// The output is linear in each single element of Input or Filter, so central
        /// differences are exact for any step; a large one keeps float32 rounding negligible.
        static let delta: Float = 0.5

        func check(gradient: Bool = true, tolerance: Float = 1e-5) throws {
            let t = test()
            let (shape, expected) = try reference(
                t.inputs["Input"]![0].scalars(as: Float.self), t.inputs["Filter"]![0].scalars(as: Float.self))
            try t.checkOutput("Output", shape: shape, expected: expected, tolerance: tolerance)
            if gradient { try t.checkGradient(["Input", "Filter"], of: ["Output"], delta: Self.delta) }
        }
    }

    @Test func padding() throws {
        try Case(input: [2, 3, 6, 5], filter: [4, 3, 3, 3], paddings: [1, 1]).check()
    }

    @Test func stride2() throws {
        try Case(input: [2, 2, 7, 7], filter: [3, 2, 3, 3], strides: [2, 2], paddings: [1, 1]).check()
    }

    @Test func dilation2NonSquare() throws {
        try Case(input: [1, 2, 8, 7], filter: [2, 2, 3, 2], dilations: [2, 2]).check()
    }

    @Test func groups2() throws {
        try Case(input: [2, 4, 5, 5], filter: [6, 2, 3, 3], groups: 2, paddings: [1, 1]).check()
    }

    @Test func asymmetricPadding() throws {
        try Case(input: [1, 2, 5, 6], filter: [3, 2, 3, 2], strides: [2, 1], paddings: [0, 2, 1, 0]).check()
    }

    @Test func samePadding() throws {
        // H: out ceil(6/2) = 3, pad (3-1)*2 + 3 - 6 = 1 -> top 0, bottom 1.
        // W: out ceil(7/2) = 4, pad (4-1)*2 + 3 - 7 = 2 -> left 1, right 1.
        // Paddle runs SAME without dilation, whatever `dilations` says.
        try Case(
            input: [2, 2, 6, 7], filter: [3, 2, 3, 3], strides: [2, 2], dilations: [2, 2], paddings: [5, 5],
            algorithm: "SAME", referencePadding: [0, 1, 1, 1], referenceDilations: [1, 1]
        ).check()
    }

    @Test func validPadding() throws {
        try Case(input: [1, 2, 6, 6], filter: [2, 2, 3, 3], paddings: [2, 2], algorithm: "VALID").check()
    }

    @Test func oneByOneGroupsStride() throws {
        try Case(input: [3, 4, 5, 4], filter: [2, 2, 1, 1], strides: [2, 3], groups: 2).check(gradient: false)
    }

    @Test func tutorialShapesForwardOnly() throws {
        try Case(input: [4, 1, 28, 28], filter: [20, 1, 5, 5]).check(gradient: false)
        // 500 float32 products per output: the kernel's own rounding reaches ~2e-5 against the Double reference.
        try Case(input: [2, 20, 12, 12], filter: [50, 20, 5, 5]).check(gradient: false, tolerance: 5e-5)
    }

    /// Output rows of whole vectors (8 and 16 floats) take straight copies in im2col and col2im;
    /// padded taps and rows in the same convolution take the general loops.
    @Test func outputRowsOfWholeVectors() throws {
        try Case(input: [2, 2, 10, 12], filter: [3, 2, 3, 5]).check()
        try Case(input: [1, 2, 5, 20], filter: [2, 2, 2, 5], paddings: [1, 0]).check()
        try Case(input: [1, 1, 6, 10], filter: [2, 1, 3, 3], paddings: [1, 1]).check()
    }

    @Test func gradientOfOneOperandOnly() throws {
        let t = Case(input: [2, 2, 5, 4], filter: [2, 2, 2, 3], strides: [1, 2], paddings: [1, 0]).test()
        try t.checkGradient(["Filter"], of: ["Output"], delta: Case.delta)
        try t.checkGradient(["Input"], of: ["Output"], delta: Case.delta)
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let op = OpDesc(
            type: "conv2d", inputs: ["Input": ["img"], "Filter": ["w"]], outputs: ["Output": ["y"]],
            attributes: ["groups": .int(1)])
        let rule = try #require(try OpRegistry.definition("conv2d").gradient)
        let ops = rule(GradientContext(op: op, needsGradient: { $0 == "w" }))
        #expect(ops.count == 1)
        #expect(ops.first?.type == "conv2d_grad")
        #expect(ops.first?.input("Output@GRAD") == ["y@GRAD"])
        #expect(ops.first?.input("Input") == ["img"])
        #expect(ops.first?.output("Filter@GRAD") == ["w@GRAD"])
        #expect(ops.first?.output("Input@GRAD") == [])
        #expect(ops.first?.role == .backward)
    }

    /// Three samples in blocks of two: staging copies, a block of one, and Filter@GRAD summed
    /// over blocks, against the direct convolution and its adjoint.
    /// Batches of 1 (no split), 3 (pieces of one block) and 7 (pieces of several blocks, one
    /// short): the filter gradient sums over blocks within a piece and over pieces.
    @Test(arguments: [1, 3, 7]) func blockedWorkspaceMatchesReference(batch: Int) throws {
        let c = Case(
            input: [batch, 4, 6, 5], filter: [4, 2, 3, 2], strides: [1, 2], groups: 2, paddings: [1, 2, 0, 1])
        let op = ConvOps.conv2d.schema.fillingDefaults(OpDesc(type: "conv2d", attributes: c.attributes))
        let g = try Conv2DGeometry(op: op, input: TensorMeta(.float32, c.input), filter: TensorMeta(.float32, c.filter))
        let work = ConvWorkspace(g, columnBudget: 2 * g.columnRows * g.outputPlane)
        #expect(work.block == min(2, batch) && work.pieces == min(batch, coreCount))
        let x = Tensor.random(c.input, seed: 11)
        let w = Tensor.random(c.filter, seed: 12)
        let (shape, expected) = try c.reference(x.scalars(as: Float.self), w.scalars(as: Float.self))
        #expect(shape == g.outputShape)
        let out = try Tensor(shape: shape)
        work.forward(x: x.floats, w: w.floats, out: out.floats)
        try expectClose(out.scalars(as: Float.self), expected)

        // The direct convolution is linear in x and in w: its gradient wrt x[i] under the
        // loss sum(dOut * out) is the loss with x replaced by the i-th unit vector.
        let dOut = Tensor.random(shape, seed: 13)
        let dx = try Tensor(shape: c.input)
        let dw = try Tensor(shape: c.filter)
        work.backward(x: x.floats, w: w.floats, dOut: dOut.floats, dx: dx.floats, dw: dw.floats)
        let d = try dOut.scalars(as: Float.self)
        let xs = try x.scalars(as: Float.self)
        let ws = try w.scalars(as: Float.self)
        func loss(_ x: [Float], _ w: [Float]) -> Float {
            zip(c.reference(x, w).values, d).reduce(0) { $0 + $1.0 * $1.1 }
        }
        func unit(_ n: Int, _ i: Int) -> [Float] { (0..<n).map { $0 == i ? 1 : 0 } }
        try expectClose(dx.scalars(as: Float.self), (0..<xs.count).map { loss(unit(xs.count, $0), ws) })
        try expectClose(dw.scalars(as: Float.self), (0..<ws.count).map { loss(xs, unit(ws.count, $0)) })
    }

    func expectClose(_ got: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        let bad = zip(got, expected).enumerated().first {
            abs($0.element.0 - $0.element.1) > 1e-4 * (1 + abs($0.element.1))
        }
        #expect(
            bad == nil, "element \(bad?.offset ?? -1): \(bad?.element.0 ?? 0) vs \(bad?.element.1 ?? 0)",
            sourceLocation: sourceLocation)
    }

    // MARK: Shape errors

    func inferError(input: [Int], filter: [Int], attributes: [String: Attribute] = [:]) -> String? {
        let op = OpDesc(
            type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]],
            attributes: attributes)
        let metas = ["x": TensorMeta(.float32, input), "w": TensorMeta(.float32, filter)]
        do {
            _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func filterChannelsMustMatchInput() throws {
        let message = try #require(inferError(input: [2, 4, 5, 5], filter: [6, 3, 3, 3]))
        for part in ["conv2d", "Filter", "[2, 4, 5, 5]", "[6, 3, 3, 3]"] {
            #expect(message.contains(part), "\(message) should mention \(part)")
        }
    }

    @Test func otherShapeErrors() throws {
        let groups = try #require(
            inferError(input: [2, 4, 5, 5], filter: [5, 2, 3, 3], attributes: ["groups": .int(2)]))
        #expect(
            groups.contains("Filter") && groups.contains("groups") && groups.contains("[5, 2, 3, 3]")
                && groups.contains("[2, 4, 5, 5]"))
        let small = try #require(inferError(input: [1, 1, 3, 3], filter: [1, 1, 5, 5]))
        #expect(small.contains("Input") && small.contains("[1, 1, 3, 3]") && small.contains("[1, 1, 5, 5]"))
        let rank = try #require(inferError(input: [1, 5, 5], filter: [1, 1, 3, 3]))
        #expect(rank.contains("Input") && rank.contains("[1, 5, 5]") && rank.contains("[1, 1, 3, 3]"))
        let layout = try #require(
            inferError(input: [1, 5, 5, 1], filter: [1, 1, 3, 3], attributes: ["data_format": .string("NHWC")]))
        #expect(layout.contains("data_format") && layout.contains("NHWC"))
    }

    @Test func buildTimeShapesKeepUnknownBatch() throws {
        let op = OpDesc(
            type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]],
            attributes: ["data_format": .string("AnyLayout")])
        let metas = ["x": TensorMeta(.float32, [-1, 20, 12, 12]), "w": TensorMeta(.float32, [50, 20, 5, 5])]
        let result = try OpRegistry.inferShape(of: op, lookup: { metas[$0] })
        #expect(result.first?.meta == TensorMeta(.float32, [-1, 50, 8, 8]))
    }
}
