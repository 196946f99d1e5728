import Foundation
import Testing

@testable import Fluid

/// pool2d against pooling written with plain loops over every window position, pool2d_grad
/// against finite differences (max pooling on values 0.05 apart, so each window's maximum is
/// unique and stays so under a 0.02 perturbation).
@Suite struct PoolOpsTests {
    struct Case {
        var input: [Int]
        var type = "max", ksize = [2, 2], strides = [1, 1], paddings = [0, 0], algorithm = "EXPLICIT"
        var global = false, ceilMode = false, exclusive = true, adaptive = false
        /// [top, bottom, left, right] the reference applies, worked out by hand for SAME.
        var referencePadding: [Int]? = nil

        var attributes: [String: Attribute] {
            [
                "pooling_type": .string(type), "ksize": .ints(ksize.map(Int32.init)),
                "strides": .ints(strides.map(Int32.init)),
                "paddings": .ints(paddings.map(Int32.init)), "padding_algorithm": .string(algorithm),
                "global_pooling": .bool(global), "ceil_mode": .bool(ceilMode), "exclusive": .bool(exclusive),
                "adaptive": .bool(adaptive),
            ]
        }

        /// Values 0.05 apart in a shuffled order: no ties, and a 0.02 perturbation keeps the order.
        func data() throws -> Tensor {
            let n = input.reduce(1, *)
            var rng = SeededGenerator(seed: 21)
            return try Tensor(
                shape: input, scalars: (0..<n).map { Float($0) * 0.05 - Float(n) * 0.025 }.shuffled(using: &rng))
        }

        func reference(_ x: [Float]) -> (shape: [Int], values: [Float]) {
            let (n, c, h, w) = (input[0], input[1], input[2], input[3])
            let (kh, kw) = global ? (h, w) : (ksize[0], ksize[1])
            var p =
                referencePadding
                ?? (paddings.count == 2 ? [paddings[0], paddings[0], paddings[1], paddings[1]] : paddings)
            if algorithm == "VALID" || global || adaptive { p = [0, 0, 0, 0] }
            let (sh, sw) = (strides[0], strides[1])
            let oh = global ? 1 : adaptive ? ksize[0] : (h - kh + p[0] + p[1] + (ceilMode ? sh - 1 : 0)) / sh + 1
            let ow = global ? 1 : adaptive ? ksize[1] : (w - kw + p[2] + p[3] + (ceilMode ? sw - 1 : 0)) / sw + 1
            var out = [Float]()
            for plane in 0..<(n * c) {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        // Candidate input positions of the window, and whether each counts for a
                        // non-exclusive average (Paddle: inside [-pad_before, size + pad_before)).
                        var cells: [(iy: Int, ix: Int, counted: Bool)] = []
                        if adaptive {
                            let y0 = Int(floor(Double(y * h) / Double(oh)))
                            let y1 = Int(ceil(Double((y + 1) * h) / Double(oh)))
                            let x0 = Int(floor(Double(xo * w) / Double(ow)))
                            let x1 = Int(ceil(Double((xo + 1) * w) / Double(ow)))
                            for iy in y0..<y1 { for ix in x0..<x1 { cells.append((iy, ix, true)) } }
                        } else {
                            for i in 0..<kh {
                                for j in 0..<kw {
                                    let iy = y * sh - p[0] + i
                                    let ix = xo * sw - p[2] + j
                                    cells.append((iy, ix, iy < h + p[0] && ix < w + p[2]))
                                }
                            }
                        }
                        let inside = cells.filter { $0.iy >= 0 && $0.iy < h && $0.ix >= 0 && $0.ix < w }
                        let values = inside.map { x[plane * h * w + $0.iy * w + $0.ix] }
                        if type == "max" {
                            out.append(values.max() ?? -Float.greatestFiniteMagnitude)
                        } else {
                            let divisor = exclusive || adaptive ? inside.count : cells.filter(\.counted).count
                            out.append(values.isEmpty ? 0 : values.reduce(0, +) / Float(divisor))
                        }
                    }
                }
            }
            return ([n, c, oh, ow], out)
        }

        func check(gradient: Bool = true) throws {
            let x = try type == "max" ? data() : Tensor.random(input, seed: 4)
            let t = OpTest("pool2d", inputs: ["X": x], attributes: attributes, outputs: ["Out"])
            let (shape, expected) = try reference(x.scalars(as: Float.self))
            try t.checkOutput("Out", shape: shape, expected: expected, tolerance: 1e-5)
            // Max pooling is exact under perturbations that keep each window's winner; an
            // average is linear, so a large step is exact too and keeps float32 rounding small.
            if gradient { try t.checkGradient(["X"], of: ["Out"], delta: type == "max" ? 0.02 : 0.5) }
        }

        /// Both pooling types, and for avg both exclusive settings.
        func checkAll() throws {
            for (type, exclusive) in [("max", true), ("avg", true), ("avg", false)] {
                var c = self
                c.type = type
                c.exclusive = exclusive
                try c.check()
            }
        }
    }

    @Test func padding() throws {
        try Case(input: [2, 3, 7, 6], ksize: [3, 3], strides: [2, 2], paddings: [1, 1]).checkAll()
    }

    @Test func ceilMode() throws {
        // W: (6 - 3 + 1) / 2 + 1 = 3 outputs; the last window [4, 7) is cut to [4, 6).
        try Case(input: [1, 2, 5, 6], ksize: [2, 3], strides: [2, 2], ceilMode: true).checkAll()
        try Case(input: [2, 1, 6, 6], ksize: [3, 3], strides: [2, 2], paddings: [1, 1], ceilMode: true).checkAll()
    }

    @Test func asymmetricPadding() throws {
        try Case(input: [1, 2, 5, 6], ksize: [3, 2], strides: [2, 2], paddings: [0, 2, 1, 0]).checkAll()
    }

    @Test func samePadding() throws {
        // H: out ceil(7/2) = 4, pad 3*2 + 3 - 7 = 2 -> 1, 1. W: out ceil(6/2) = 3, pad 2*2 + 3 - 6 = 1 -> 0, 1.
        try Case(
            input: [1, 2, 7, 6], ksize: [3, 3], strides: [2, 2], paddings: [4, 4], algorithm: "SAME",
            referencePadding: [1, 1, 0, 1]
        ).checkAll()
    }

    @Test func validPadding() throws {
        try Case(input: [1, 2, 6, 7], ksize: [3, 3], strides: [3, 2], paddings: [1, 1], algorithm: "VALID").checkAll()
    }

    @Test func globalPooling() throws {
        try Case(input: [2, 3, 4, 5], ksize: [1, 1], strides: [2, 2], paddings: [1, 1], global: true).checkAll()
    }

    @Test func adaptive() throws {
        try Case(input: [1, 2, 7, 5], ksize: [3, 2], adaptive: true).checkAll()
        try Case(input: [2, 1, 4, 4], ksize: [3, 3], adaptive: true).checkAll()
    }

    @Test func tutorialShape() throws {
        try Case(input: [2, 20, 24, 24], ksize: [2, 2], strides: [2, 2]).check(gradient: false)
    }

    /// Whole 2 x 2 windows take a straight-line kernel; odd sizes leave a row and column out.
    /// Rows of 8 or more windows take eight at a time (the last eight overlapping the ones
    /// before when the count is not a multiple of 8).
    @Test(arguments: [[2, 3, 4, 6], [1, 2, 5, 7], [1, 2, 6, 24], [1, 1, 5, 17], [1, 1, 2, 40]])
    func tiledTwoByTwo(input: [Int]) throws {
        try Case(input: input, ksize: [2, 2], strides: [2, 2]).check(gradient: true)
    }

    @Test func maxGradientGoesToFirstMaximum() throws {
        // Windows [1 3; 2 3] and [3 0; 1 3] each hold their maximum twice.
        let x = try Tensor(shape: [1, 1, 2, 4], scalars: [1, 3, 3, 0, 2, 3, 1, 3] as [Float])
        let t = OpTest(
            "pool2d", inputs: ["X": x], attributes: Case(input: [1, 1, 2, 4], strides: [2, 2]).attributes,
            outputs: ["Out"])
        let rule = try #require(try OpRegistry.definition("pool2d").gradient)
        let dOutName = try gradName(OpTest.outputName("Out"))
        let dOut = try Tensor(shape: [1, 1, 1, 2], scalars: [1, 2] as [Float])
        let program = t.program(
            [t.forwardOp] + rule(GradientContext(op: t.forwardOp, needsGradient: { _ in true })),
            extraFeeds: [dOutName: dOut])
        let dx = try Executor().run(
            program, scope: Scope(), feed: t.feeds.merging([dOutName: dOut]) { a, _ in a },
            fetch: [gradName(OpTest.inputName("X"))])
        #expect(try dx.first?.scalars(as: Float.self) == [0, 1, 2, 0, 0, 0, 0, 0])
    }

    /// Values from {0, 1, 2} tie often; the gradient of each window goes to its first maximum in
    /// reading order, worked out here with plain loops, on rows of 12 windows (eight at a time,
    /// overlapping) and of 3 (one at a time).
    @Test(arguments: [24, 6]) func tiedWindowsSendTheGradientToTheFirstMaximum(width: Int) throws {
        let (h, w) = (4, width)
        var rng = SeededGenerator(seed: 5)
        let xs = (0..<(2 * h * w)).map { _ in Float(Int.random(in: 0...2, using: &rng)) }
        let (oh, ow) = (h / 2, w / 2)
        let dOutValues = (0..<(2 * oh * ow)).map { Float($0 + 1) }
        var expectedOut = [Float]()
        var expectedDx = [Float](repeating: 0, count: xs.count)
        for plane in 0..<2 {
            for y in 0..<oh {
                for x in 0..<ow {
                    let cells = [(0, 0), (0, 1), (1, 0), (1, 1)].map {
                        plane * h * w + (2 * y + $0.0) * w + 2 * x + $0.1
                    }
                    let m = cells.map { xs[$0] }.max()!
                    expectedOut.append(m)
                    expectedDx[cells.first { xs[$0] == m }!] = dOutValues[(plane * oh + y) * ow + x]
                }
            }
        }
        let x = try Tensor(shape: [1, 2, h, w], scalars: xs)
        let t = OpTest(
            "pool2d", inputs: ["X": x], attributes: Case(input: [1, 2, h, w], strides: [2, 2]).attributes,
            outputs: ["Out"])
        try t.checkOutput("Out", shape: [1, 2, oh, ow], expected: expectedOut, tolerance: 0)
        let rule = try #require(try OpRegistry.definition("pool2d").gradient)
        let dOutName = try gradName(OpTest.outputName("Out"))
        let dOut = try Tensor(shape: [1, 2, oh, ow], scalars: dOutValues)
        let program = t.program(
            [t.forwardOp] + rule(GradientContext(op: t.forwardOp, needsGradient: { _ in true })),
            extraFeeds: [dOutName: dOut])
        let dx = try Executor().run(
            program, scope: Scope(), feed: t.feeds.merging([dOutName: dOut]) { a, _ in a },
            fetch: [gradName(OpTest.inputName("X"))])
        #expect(try dx.first?.scalars(as: Float.self) == expectedDx)
    }

    @Test func gradientRuleUsesPaddleSlots() throws {
        let op = OpDesc(
            type: "pool2d", inputs: ["X": ["a"]], outputs: ["Out": ["b"]], attributes: ["pooling_type": .string("max")])
        let rule = try #require(try OpRegistry.definition("pool2d").gradient)
        let ops = rule(GradientContext(op: op, needsGradient: { _ in true }))
        #expect(ops.count == 1)
        #expect(ops.first?.type == "pool2d_grad")
        #expect(
            ops.first?.input("X") == ["a"] && ops.first?.input("Out") == ["b"]
                && ops.first?.input("Out@GRAD") == ["b@GRAD"])
        #expect(ops.first?.output("X@GRAD") == ["a@GRAD"])
        #expect(ops.first?.attributes["pooling_type"] == .string("max"))
    }

    @Test func shapeErrors() throws {
        func error(_ shape: [Int], _ attributes: [String: Attribute]) -> String? {
            let op = OpDesc(type: "pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["y"]], attributes: attributes)
            do {
                _ = try OpRegistry.inferShape(of: op, lookup: { _ in TensorMeta(.float32, shape) })
                return nil
            } catch { return "\(error)" }
        }
        let rank = try #require(error([3, 4, 4], ["pooling_type": .string("max"), "ksize": .ints([2, 2])]))
        #expect(rank.contains("pool2d") && rank.contains("X") && rank.contains("[3, 4, 4]"))
        let small = try #require(error([1, 1, 2, 2], ["pooling_type": .string("avg"), "ksize": .ints([3, 3])]))
        #expect(small.contains("X") && small.contains("[1, 1, 2, 2]") && small.contains("ksize"))
        let noKsize = try #require(error([1, 1, 4, 4], ["pooling_type": .string("max")]))
        #expect(noKsize.contains("ksize"))
        let type = try #require(error([1, 1, 4, 4], ["pooling_type": .string("lp"), "ksize": .ints([2, 2])]))
        #expect(type.contains("pooling_type"))
        #expect(
            error([-1, 3, 8, 8], ["pooling_type": .string("max"), "ksize": .ints([2, 2]), "strides": .ints([2, 2])])
                == nil)
    }
}
