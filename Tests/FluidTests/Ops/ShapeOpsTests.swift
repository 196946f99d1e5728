import Testing

@testable import Fluid

@Suite struct ShapeOpsTests {
    let x = Tensor.random([2, 3, 4], seed: 3)

    /// Shapes `op` infers for its outputs when X has meta `x`.
    private func inferred(_ op: OpDesc, x: TensorMeta) throws -> [String: [Int]] {
        let results = try OpRegistry.inferShape(of: op, lookup: { $0 == "x" ? x : nil })
        return Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.meta.shape) })
    }

    private func reshapeOp(_ shape: [Int32]) -> OpDesc {
        OpDesc(
            type: "reshape2", inputs: ["X": ["x"]], outputs: ["Out": ["out"], "XShape": ["xs"]],
            attributes: ["shape": .ints(shape)])
    }

    /// The message of the error `body` throws, or "" when it throws none.
    private func errorMessage(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return ""
    }

    // Reshaping keeps the elements in order: the naive reference is X's elements unchanged.
    @Test(
        arguments: [
            ([0, -1], [2, 12]), ([-1, 0, 2], [4, 3, 2]), ([4, 6], [4, 6]), ([24], [24]),
            ([0, 0, -1, 1], [2, 3, 4, 1]),
        ] as [([Int32], [Int])])
    func reshape2(shape: [Int32], expected: [Int]) throws {
        let t = OpTest("reshape2", inputs: ["X": x], attributes: ["shape": .ints(shape)], outputs: ["Out", "XShape"])
        try t.checkOutput("Out", shape: expected, expected: x.scalars(as: Float.self), tolerance: 0)
        #expect(try t.output("XShape").shape == [0, 2, 3, 4])
    }

    @Test func reshape2Gradient() throws {
        let t = OpTest(
            "reshape2", inputs: ["X": x], attributes: ["shape": .ints([-1, 6])], outputs: ["Out", "XShape"])
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func reshape2BuildTimeShapes() throws {
        let batch = TensorMeta(.float32, [-1, 1, 28, 28])
        #expect(try inferred(reshapeOp([0, -1]), x: batch)["out"] == [-1, 784])
        #expect(try inferred(reshapeOp([-1, 784]), x: batch)["out"] == [-1, 784])
        #expect(try inferred(reshapeOp([-1, 28, 28]), x: batch)["out"] == [-1, 28, 28])
        #expect(try inferred(reshapeOp([0, -1]), x: batch)["xs"] == [0, -1, 1, 28, 28])
        #expect(try inferred(reshapeOp([4, -1]), x: TensorMeta(.float32, [-1, 8]))["out"] == [4, -1])
    }

    @Test func reshape2RejectsBadShapes() {
        let meta = TensorMeta(.float32, [2, 3, 4])
        for (shape, shown) in [
            ([5, -1], "[5, -1]"), ([5, 5], "[5, 5]"), ([-1, -1], "[-1, -1]"), ([0, 0, 0, 0], "[0, 0, 0, 0]"),
            ([2, -3, 4], "[2, -3, 4]"),
        ] as [([Int32], String)] {
            let message = errorMessage { _ = try inferred(reshapeOp(shape), x: meta) }
            #expect(
                message.contains("reshape2") && message.contains("'X'") && message.contains("[2, 3, 4]")
                    && message.contains(shown), "\(shape): \(message)")
        }
    }

    @Test func reshape2InPlace() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [2, 12]))
        p.globalBlock.appendOp(
            OpDesc(
                type: "reshape2", inputs: ["X": ["x"]], outputs: ["Out": ["x"], "XShape": ["xs"]],
                attributes: ["shape": .ints([3, 8])]))
        let fed = Tensor.random([2, 12], seed: 4)
        let out = try Executor().run(p, scope: Scope(), feed: ["x": fed], fetch: ["x"])[0]
        #expect(out.shape == [3, 8])
        #expect(try out.scalars(as: Float.self) == fed.scalars(as: Float.self))
    }

    @Test(arguments: [
        (1, 1, [2, 3, 4, 5]), (0, -1, [120]), (1, 2, [2, 12, 5]), (-2, -1, [2, 3, 20]), (1, 3, [2, 60]),
        (0, 1, [6, 4, 5]),
    ])
    func flatten(start: Int32, stop: Int32, expected: [Int]) throws {
        let x4 = Tensor.random([2, 3, 4, 5], seed: 5)
        let t = OpTest(
            "flatten_contiguous_range", inputs: ["X": x4],
            attributes: ["start_axis": .int(start), "stop_axis": .int(stop)], outputs: ["Out", "XShape"])
        try t.checkOutput("Out", shape: expected, expected: x4.scalars(as: Float.self), tolerance: 0)
        #expect(try t.output("XShape").shape == [0, 2, 3, 4, 5])
    }

    @Test func flattenDefaultsAndBuildTime() throws {
        let op = OpDesc(type: "flatten_contiguous_range", inputs: ["X": ["x"]], outputs: ["Out": ["out"]])
        #expect(try inferred(op, x: TensorMeta(.float32, [-1, 3, 4]))["out"] == [-1, 3, 4])
        var all = op
        all.attributes = ["start_axis": .int(1), "stop_axis": .int(-1)]
        #expect(try inferred(all, x: TensorMeta(.float32, [-1, 50, 4, 4]))["out"] == [-1, 800])
        all.attributes = ["start_axis": .int(0), "stop_axis": .int(1)]
        #expect(try inferred(all, x: TensorMeta(.float32, [-1, 50, 4]))["out"] == [-1, 4])
    }

    @Test func flattenRejectsBadAxes() {
        for (start, stop) in [(2, 1), (0, 3), (-4, 0)] as [(Int32, Int32)] {
            let op = OpDesc(
                type: "flatten_contiguous_range", inputs: ["X": ["x"]], outputs: ["Out": ["out"]],
                attributes: ["start_axis": .int(start), "stop_axis": .int(stop)])
            let message = errorMessage { _ = try inferred(op, x: TensorMeta(.float32, [2, 3, 4])) }
            #expect(
                message.contains("flatten_contiguous_range") && message.contains("'X'")
                    && message.contains("[2, 3, 4]"), "\(start)...\(stop): \(message)")
        }
    }

    @Test func flattenGradient() throws {
        let t = OpTest(
            "flatten_contiguous_range", inputs: ["X": x],
            attributes: ["start_axis": .int(0), "stop_axis": .int(1)], outputs: ["Out", "XShape"])
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func gradOpsUseXShape() throws {
        let rule = try #require(try OpRegistry.definition("reshape2").gradient)
        let ops = rule(GradientContext(op: reshapeOp([0, -1]), needsGradient: { _ in true }))
        #expect(ops.count == 1)
        #expect(ops.first?.type == "reshape2_grad")
        #expect(ops.first?.input("XShape") == ["xs"])
        #expect(ops.first?.input("Out@GRAD") == ["out@GRAD"])
        #expect(ops.first?.output("X@GRAD") == ["x@GRAD"])
        #expect(rule(GradientContext(op: reshapeOp([0, -1]), needsGradient: { _ in false })).isEmpty)
    }

    @Test func gradRejectsMismatchedSizes() {
        let op = OpDesc(
            type: "reshape2_grad", inputs: ["XShape": ["xs"], "Out@GRAD": ["dout"]], outputs: ["X@GRAD": ["dx"]])
        let metas = ["xs": TensorMeta(.float32, [0, 2, 3]), "dout": TensorMeta(.float32, [7])]
        let message = errorMessage { _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) }
        #expect(
            message.contains("reshape2_grad") && message.contains("Out@GRAD") && message.contains("[7]")
                && message.contains("[2, 3]"), "\(message)")
    }
}
