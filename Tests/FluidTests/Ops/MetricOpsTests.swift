import Testing

@testable import Fluid

@Suite struct MetricOpsTests {
    // Row 0 has ties (0.5 at 1 and 4, 0.9 at 2 and 5) to check that lower indices rank first.
    let x = Tensor.literal(
        [3, 6],
        [
            0.1, 0.5, 0.9, -0.3, 0.5, 0.9,
            2.0, -1.0, 0.0, 3.5, 1.5, -2.0,
            -0.7, -0.2, -0.9, -0.1, -0.4, -0.6,
        ] as [Float])

    /// Naive top-k: sort (value, index) pairs, best first, lower index first on ties.
    private func reference(_ row: [Float], k: Int, largest: Bool = true) -> (values: [Float], indices: [Int64]) {
        let order = row.indices.sorted { a, b in
            row[a] != row[b] ? (largest ? row[a] > row[b] : row[a] < row[b]) : a < b
        }
        let top = order.prefix(k)
        return (top.map { row[$0] }, top.map { Int64($0) })
    }

    /// Reference results along `axis` of a [d0, d1, d2] tensor, laid out like the op's outputs.
    private func reference3(_ t: Tensor, axis: Int, k: Int, largest: Bool) throws -> (values: [Float], indices: [Int64])
    {
        let s = try t.shape
        let v = try t.scalars(as: Float.self)
        var outShape = s
        outShape[axis] = k
        var values = [Float](repeating: 0, count: outShape.reduce(1, *))
        var indices = [Int64](repeating: 0, count: values.count)
        func at(_ i: [Int], _ shape: [Int]) -> Int { (i[0] * shape[1] + i[1]) * shape[2] + i[2] }
        for a in 0..<s[0] {
            for b in 0..<s[1] {
                for c in 0..<s[2] {
                    var i = [a, b, c]
                    guard i[axis] == 0 else { continue }
                    let line = (0..<s[axis]).map { j -> Float in
                        i[axis] = j
                        return v[at(i, s)]
                    }
                    let r = reference(line, k: k, largest: largest)
                    for j in 0..<k {
                        i[axis] = j
                        values[at(i, outShape)] = r.values[j]
                        indices[at(i, outShape)] = r.indices[j]
                    }
                }
            }
        }
        return (values, indices)
    }

    @Test(arguments: [1, 3, 6])
    func topK(k: Int) throws {
        let t = OpTest("top_k", inputs: ["X": x], attributes: ["k": .int(Int32(k))], outputs: ["Out", "Indices"])
        let rows = try (0..<3).map { try reference(Array(x.scalars(as: Float.self)[($0 * 6)..<($0 * 6 + 6)]), k: k) }
        try t.checkOutput("Out", shape: [3, k], expected: rows.flatMap(\.values), tolerance: 0)
        let indices = try t.output("Indices")
        #expect(indices.dtype == .int64 && indices.shape == [3, k])
        #expect(try indices.scalars(as: Int64.self) == rows.flatMap(\.indices))
    }

    @Test func topKTiesRankLowerIndexFirst() throws {
        let out = try OpTest("top_k", inputs: ["X": x], attributes: ["k": .int(3)], outputs: ["Out", "Indices"]).run()
        #expect(try Array(out["Indices"]!.scalars(as: Int64.self).prefix(3)) == [2, 5, 1])
    }

    @Test(arguments: [(0, true), (1, true), (2, true), (1, false), (-1, false), (-3, true)])
    func topKV2(axis: Int, largest: Bool) throws {
        let x3 = Tensor.random([4, 5, 3], seed: 41)
        let a = axis < 0 ? axis + 3 : axis
        let k = 2
        let t = OpTest(
            "top_k_v2", inputs: ["X": x3],
            attributes: [
                "k": .int(Int32(k)), "axis": .int(Int32(axis)), "largest": .bool(largest), "sorted": .bool(true),
            ], outputs: ["Out", "Indices"])
        let r = try reference3(x3, axis: a, k: k, largest: largest)
        var shape = [4, 5, 3]
        shape[a] = k
        try t.checkOutput("Out", shape: shape, expected: r.values, tolerance: 0)
        #expect(try t.output("Indices").scalars(as: Int64.self) == r.indices)
    }

    @Test func topKV2DefaultsTakeLargestOfLastAxis() throws {
        let t = OpTest("top_k_v2", inputs: ["X": x], outputs: ["Out", "Indices"])
        try t.checkOutput("Out", shape: [3, 1], expected: [0.9, 3.5, -0.1], tolerance: 0)
        #expect(try t.output("Indices").scalars(as: Int64.self) == [2, 3, 3])
    }

    @Test func topKRejectsKLargerThanAxis() {
        let op = OpDesc(
            type: "top_k", inputs: ["X": ["x"]], outputs: ["Out": ["o"], "Indices": ["i"]], attributes: ["k": .int(7)])
        var message = ""
        do { _ = try OpRegistry.inferShape(of: op, lookup: { _ in TensorMeta(.float32, [3, 6]) }) } catch {
            message = "\(error)"
        }
        #expect(
            message.contains("top_k") && message.contains("'X'") && message.contains("[3, 6]") && message.contains("7"),
            "\(message)")
        let batch = try? OpRegistry.inferShape(of: op, lookup: { _ in TensorMeta(.float32, [-1, 10]) })
        #expect(batch?.map(\.meta) == [TensorMeta(.float32, [-1, 7]), TensorMeta(.int64, [-1, 7])])
    }

    // Samples 0 and 2 have their label among their top-2 indices; 1 and 3 do not.
    @Test func accuracy() throws {
        let indices = try Tensor(shape: [4, 2], scalars: [1, 2, 0, 3, 4, 1, 2, 2] as [Int64])
        let values = try Tensor(shape: [4, 2], scalars: [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4] as [Float])
        let label = try Tensor(shape: [4, 1], scalars: [2, 1, 4, 0] as [Int64])
        let out = try OpTest(
            "accuracy", inputs: ["Out": values, "Indices": indices, "Label": label],
            outputs: ["Accuracy", "Correct", "Total"]
        ).run()
        #expect(try out["Accuracy"]!.shape == [] && out["Accuracy"]!.scalar(as: Float.self) == 0.5)
        #expect(try out["Correct"]!.scalar(as: Int32.self) == 2)
        #expect(try out["Total"]!.scalar(as: Int32.self) == 4)
    }

    /// A label that appears twice among a sample's top-k indices still counts that sample once.
    @Test func accuracyCountsASampleOnceWhenItsLabelRepeatsInTopK() throws {
        let indices = try Tensor(shape: [2, 2], scalars: [2, 2, 1, 1] as [Int64])
        let values = try Tensor(shape: [2, 2], scalars: [0.5, 0.5, 0.5, 0.5] as [Float])
        let label = try Tensor(shape: [2, 1], scalars: [2, 0] as [Int64])
        let out = try OpTest(
            "accuracy", inputs: ["Out": values, "Indices": indices, "Label": label],
            outputs: ["Accuracy", "Correct", "Total"]
        ).run()
        #expect(try out["Correct"]!.scalar(as: Int32.self) == 1)
        #expect(try out["Accuracy"]!.scalar(as: Float.self) == 0.5)
    }

    @Test func accuracyAfterTopK() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [3, 6]))
        p.globalBlock.addVar(VarDesc(name: "label", dtype: .int64, shape: [3, 1]))
        p.globalBlock.appendOp(
            OpDesc(type: "top_k_v2", inputs: ["X": ["x"]], outputs: ["Out": ["v"], "Indices": ["i"]]))
        p.globalBlock.appendOp(
            OpDesc(
                type: "accuracy", inputs: ["Out": ["v"], "Indices": ["i"], "Label": ["label"]],
                outputs: ["Accuracy": ["acc"], "Correct": ["c"], "Total": ["n"]]))
        // Argmaxes are 2, 3, 3: labels 2 and 3 hit, 0 misses.
        let label = try Tensor(shape: [3, 1], scalars: [2, 0, 3] as [Int64])
        let acc = try Executor().run(p, scope: Scope(), feed: ["x": x, "label": label], fetch: ["acc"])[0]
        #expect(try abs(acc.scalar(as: Float.self) - 2.0 / 3.0) < 1e-6)
    }

    @Test func accuracyRejectsMismatchedBatch() {
        let op = OpDesc(
            type: "accuracy", inputs: ["Out": ["v"], "Indices": ["i"], "Label": ["l"]],
            outputs: ["Accuracy": ["a"], "Correct": ["c"], "Total": ["t"]])
        let metas = [
            "v": TensorMeta(.float32, [4, 1]), "i": TensorMeta(.int64, [4, 1]), "l": TensorMeta(.int64, [5, 1]),
        ]
        var message = ""
        do { _ = try OpRegistry.inferShape(of: op, lookup: { metas[$0] }) } catch { message = "\(error)" }
        #expect(
            message.contains("accuracy") && message.contains("Label") && message.contains("[5, 1]")
                && message.contains("[4, 1]"), "\(message)")
    }
}
