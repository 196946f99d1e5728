import Testing

@testable import Fluid

@Suite struct MiscOpsTests {
    let x = Tensor.random([3, 4], seed: 11)

    /// Runs `op` over float32 variables fed by `feeds`, returning the fetched tensors.
    private func run(_ op: OpDesc, feeds: [String: Tensor], fetch: [String]) throws -> [Tensor] {
        let p = Program()
        for (name, t) in feeds { p.globalBlock.addVar(VarDesc(name: name, dtype: t.dtype, shape: t.shape)) }
        p.globalBlock.appendOp(op)
        return try Executor().run(p, scope: Scope(), feed: feeds, fetch: fetch)
    }

    // MARK: scale

    @Test(arguments: [true, false])
    func scale(biasAfterScale: Bool) throws {
        let t = OpTest(
            "scale", inputs: ["X": x],
            attributes: [
                "scale": .float(2.5), "bias": .float(-0.75), "bias_after_scale": .bool(biasAfterScale),
            ], outputs: ["Out"])
        let expected = try x.scalars(as: Float.self).map { biasAfterScale ? 2.5 * $0 - 0.75 : 2.5 * ($0 - 0.75) }
        try t.checkOutput("Out", shape: [3, 4], expected: expected)
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func scaleDefaultsAreIdentity() throws {
        try OpTest("scale", inputs: ["X": x], outputs: ["Out"])
            .checkOutput("Out", shape: [3, 4], expected: x.scalars(as: Float.self), tolerance: 0)
    }

    @Test func scaleTensorReplacesAttribute() throws {
        let t = try OpTest(
            "scale", inputs: ["X": x, "ScaleTensor": Tensor(shape: [1], scalars: [-3] as [Float])],
            attributes: ["scale": .float(2), "bias": .float(1)], outputs: ["Out"])
        try t.checkOutput("Out", shape: [3, 4], expected: x.scalars(as: Float.self).map { -3 * $0 + 1 })
    }

    @Test func scaleGradientIsScaleWithoutBias() throws {
        let op = OpDesc(
            type: "scale", inputs: ["X": ["x"]], outputs: ["Out": ["y"]],
            attributes: ["scale": .float(3), "bias": .float(2), "bias_after_scale": .bool(false)])
        let rule = try #require(try OpRegistry.definition("scale").gradient)
        let ops = rule(GradientContext(op: op, needsGradient: { _ in true }))
        #expect(ops.count == 1)
        let g = try #require(ops.first)
        #expect(g.type == "scale" && g.input("X") == ["y@GRAD"] && g.output("Out") == ["x@GRAD"])
        #expect(
            g.attributes["scale"] == .float(3) && g.attributes["bias"] == .float(0)
                && g.attributes["bias_after_scale"] == .bool(true))
        #expect(g.role == .backward)
    }

    // MARK: sum

    @Test func sum() throws {
        let xs = (0..<3).map { Tensor.random([2, 5], seed: UInt64(20 + $0)) }
        let t = OpTest("sum", multiInputs: ["X": xs], outputs: ["Out": 1])
        let v = try xs.map { try $0.scalars(as: Float.self) }
        try t.checkOutput("Out", shape: [2, 5], expected: (0..<10).map { v[0][$0] + v[1][$0] + v[2][$0] })
        try t.checkGradient(["X"], of: ["Out"])
        try OpTest("sum", multiInputs: ["X": [xs[0]]], outputs: ["Out": 1])
            .checkOutput("Out", shape: [2, 5], expected: v[0], tolerance: 0)
    }

    @Test(arguments: [0, 1, 2])
    func sumInPlace(aliased: Int) throws {
        let names = ["a", "b", "c"]
        let xs = (0..<3).map { Tensor.random([4, 3], seed: UInt64(30 + $0)) }
        let v = try xs.map { try $0.scalars(as: Float.self) }
        let op = OpDesc(type: "sum", inputs: ["X": names], outputs: ["Out": [names[aliased]]])
        let out = try run(op, feeds: Dictionary(uniqueKeysWithValues: zip(names, xs)), fetch: [names[aliased]])[0]
        let expected = (0..<12).map { v[0][$0] + v[1][$0] + v[2][$0] }
        for (g, e) in zip(try out.scalars(as: Float.self), expected) { #expect(abs(g - e) <= 1e-6) }
    }

    @Test func sumRejectsMismatchedShapes() {
        let op = OpDesc(type: "sum", inputs: ["X": ["a", "b"]], outputs: ["Out": ["c"]])
        let metas = ["a": TensorMeta(.float32, [2, 3]), "b": TensorMeta(.float32, [3, 2])]
        var message = ""
        do { _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) } catch { message = "\(error)" }
        #expect(
            message.contains("sum") && message.contains("'X'") && message.contains("[2, 3]")
                && message.contains("[3, 2]"), "\(message)")
        let merged = try? OpRegistry.inferShape(
            of: op, lookup: { ["a": TensorMeta(.float32, [-1, 3]), "b": TensorMeta(.float32, [4, 3])][$0] })
        #expect(merged?.first?.meta.shape == [4, 3])
    }

    @Test func sumGradientIsOneScalePerInput() throws {
        let op = OpDesc(type: "sum", inputs: ["X": ["a", "b", "c"]], outputs: ["Out": ["s"]])
        let rule = try #require(try OpRegistry.definition("sum").gradient)
        let ops = rule(GradientContext(op: op, needsGradient: { $0 != "b" }))
        #expect(ops.map(\.type) == ["scale", "scale"])
        #expect(ops.map { $0.output("Out") } == [["a@GRAD"], ["c@GRAD"]])
        #expect(ops.allSatisfy { $0.input("X") == ["s@GRAD"] && $0.attributes["scale"] == .float(1) })
    }

    // MARK: assign

    @Test func assign() throws {
        let t = OpTest("assign", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [3, 4], expected: x.scalars(as: Float.self), tolerance: 0)
        try t.checkGradient(["X"], of: ["Out"])
        let labels = try Tensor(shape: [3], scalars: [7, -2, 1 << 40] as [Int64])
        let copied = try OpTest("assign", inputs: ["X": labels], outputs: ["Out"]).output("Out")
        #expect(try copied.dtype == .int64 && copied.scalars(as: Int64.self) == [7, -2, 1 << 40])
    }

    // MARK: cast

    private func cast(_ input: Tensor, to type: DataType) throws -> Tensor {
        try OpTest(
            "cast", inputs: ["X": input],
            attributes: [
                "in_dtype": .int(input.dtype.rawValue), "out_dtype": .int(type.rawValue),
            ], outputs: ["Out"]
        ).output("Out")
    }

    @Test func castFromFloat() throws {
        let values: [Float] = [-2.75, -1.5, -0.25, 0, 0.5, 1.99, 3, 300.7]
        let f = try Tensor(shape: [2, 4], scalars: values)
        let i64 = try cast(f, to: .int64)
        let i32 = try cast(f, to: .int32)
        #expect(try i64.shape == [2, 4] && i64.scalars(as: Int64.self) == values.map { Int64($0) })
        #expect(try i32.scalars(as: Int32.self) == values.map { Int32($0) })
        #expect(try cast(f, to: .float64).scalars(as: Double.self) == values.map { Double($0) })
        #expect(try cast(f, to: .bool).scalars(as: Bool.self) == values.map { $0 != 0 })
        #expect(try cast(f, to: .uint8).scalars(as: UInt8.self) == values.map { UInt8(truncatingIfNeeded: Int32($0)) })
        #expect(try cast(f, to: .float32).scalars(as: Float.self) == values)
    }

    @Test func castToFloat() throws {
        let ints: [Int64] = [-3, 0, 9, 1 << 24]
        #expect(
            try cast(Tensor(shape: [4], scalars: ints), to: .float32).scalars(as: Float.self) == ints.map { Float($0) })
        let big: [Int64] = [(1 << 62) + 1, -5]
        #expect(
            try cast(Tensor(shape: [2], scalars: big), to: .int32).scalars(as: Int32.self)
                == big.map { Int32(truncatingIfNeeded: $0) })
        let bytes: [UInt8] = [0, 1, 255]
        #expect(try cast(Tensor(shape: [3], scalars: bytes), to: .float32).scalars(as: Float.self) == [0, 1, 255])
        #expect(try cast(Tensor(shape: [2], scalars: [true, false]), to: .float32).scalars(as: Float.self) == [1, 0])
        let doubles: [Double] = [0.1, -1e300, 2.5]
        #expect(
            try cast(Tensor(shape: [3], scalars: doubles), to: .float32).scalars(as: Float.self)
                == doubles.map { Float($0) })
        #expect(
            try cast(Tensor(shape: [2], scalars: [-7, 8] as [Int32]), to: .int64).scalars(as: Int64.self) == [-7, 8])
    }

    @Test func castOfNaNDoesNotTrap() throws {
        let out = try cast(Tensor(shape: [3], scalars: [Float.nan, .infinity, 1e20]), to: .int64)
        #expect(try out.scalars(as: Int64.self) == [.min, .min, .min])
    }

    @Test func castGradientCastsBack() throws {
        let op = OpDesc(
            type: "cast", inputs: ["X": ["x"]], outputs: ["Out": ["y"]],
            attributes: ["in_dtype": .int(5), "out_dtype": .int(6)])
        let rule = try #require(try OpRegistry.definition("cast").gradient)
        let g = try #require(rule(GradientContext(op: op, needsGradient: { _ in true })).first)
        #expect(g.type == "cast" && g.input("X") == ["y@GRAD"] && g.output("Out") == ["x@GRAD"])
        #expect(g.attributes["in_dtype"] == .int(6) && g.attributes["out_dtype"] == .int(5))
        try OpTest("cast", inputs: ["X": x], attributes: ["in_dtype": .int(5), "out_dtype": .int(5)], outputs: ["Out"])
            .checkGradient(["X"], of: ["Out"])
    }
}
