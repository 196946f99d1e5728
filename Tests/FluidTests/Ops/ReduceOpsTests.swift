import Testing

@testable import Fluid

/// Naive reduction: every element of X added into the Out element its kept dims select.
/// `reduced` lists X's reduced dims (non-negative); `mean` divides by the count added.
private func naiveReduce(_ x: Tensor, reduced: Set<Int>, mean: Bool) throws -> [Float] {
    let dims = try x.shape
    let values = try x.scalars(as: Float.self)
    let kept = dims.indices.map { reduced.contains($0) ? 1 : dims[$0] }
    var sums = [Double](repeating: 0, count: kept.reduce(1, *))
    var counts = sums
    for i in 0..<x.count {
        var rest = i
        var o = 0
        var stride = 1
        for d in dims.indices.reversed() {
            let index = rest % dims[d]
            rest /= dims[d]
            if kept[d] != 1 {
                o += index * stride
                stride *= kept[d]
            }
        }
        sums[o] += Double(values[i])
        counts[o] += 1
    }
    return sums.indices.map { Float(mean ? sums[$0] / counts[$0] : sums[$0]) }
}

struct ReduceCase: CustomTestStringConvertible {
    var attributes: [String: Attribute]
    var reduced: Set<Int>
    var out: [Int]
    var testDescription: String {
        "\(attributes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
    }
}

/// Cases on X [2, 3, 4].
private let reduceCases: [ReduceCase] = [
    ReduceCase(attributes: [:], reduced: [0], out: [3, 4]),  // Paddle's default dim [0]
    ReduceCase(attributes: ["dim": .ints([1])], reduced: [1], out: [2, 4]),
    ReduceCase(attributes: ["dim": .ints([0, 2])], reduced: [0, 2], out: [3]),
    ReduceCase(attributes: ["dim": .ints([-1])], reduced: [2], out: [2, 3]),
    ReduceCase(attributes: ["dim": .ints([-3, -2])], reduced: [0, 1], out: [4]),
    ReduceCase(attributes: ["dim": .ints([1]), "keep_dim": .bool(true)], reduced: [1], out: [2, 1, 4]),
    ReduceCase(attributes: ["dim": .ints([0, 2]), "keep_dim": .bool(true)], reduced: [0, 2], out: [1, 3, 1]),
    ReduceCase(attributes: ["dim": .ints([1]), "reduce_all": .bool(true)], reduced: [0, 1, 2], out: []),
    ReduceCase(
        attributes: ["dim": .ints([]), "reduce_all": .bool(true), "keep_dim": .bool(true)], reduced: [0, 1, 2],
        out: [1, 1, 1]),
    ReduceCase(attributes: ["dim": .ints([])], reduced: [0, 1, 2], out: []),  // the tutorial's loss
    ReduceCase(attributes: ["dim": .ints([0, 1, 2])], reduced: [0, 1, 2], out: []),
]

private let x = Tensor.random([2, 3, 4], seed: 9)

@Suite struct ReduceOpsTests {
    @Test(arguments: reduceCases) func reduceSum(_ c: ReduceCase) throws {
        let t = OpTest("reduce_sum", inputs: ["X": x], attributes: c.attributes, outputs: ["Out"])
        try t.checkOutput("Out", shape: c.out, expected: naiveReduce(x, reduced: c.reduced, mean: false))
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test(arguments: reduceCases) func reduceMean(_ c: ReduceCase) throws {
        let t = OpTest("reduce_mean", inputs: ["X": x], attributes: c.attributes, outputs: ["Out"])
        try t.checkOutput("Out", shape: c.out, expected: naiveReduce(x, reduced: c.reduced, mean: true))
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func reduceOverUnitDim() throws {
        let y = Tensor.random([3, 1, 2], seed: 4)
        let t = OpTest("reduce_mean", inputs: ["X": y], attributes: ["dim": .ints([1])], outputs: ["Out"])
        try t.checkOutput("Out", shape: [3, 2], expected: y.scalars(as: Float.self))
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func mean() throws {
        let y = Tensor.random([3, 5], seed: 5)
        let t = OpTest("mean", inputs: ["X": y], outputs: ["Out"])
        let values = try y.scalars(as: Float.self)
        var s: Float = 0
        for v in values { s += v }
        try t.checkOutput("Out", shape: [], expected: [s / Float(values.count)])
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func dimOutOfRange() {
        let op = OpDesc(
            type: "reduce_sum", inputs: ["X": ["x"]], outputs: ["Out": ["o"]], attributes: ["dim": .ints([3])])
        do {
            _ = try OpRegistry.inferShape(of: op, lookup: { $0 == "x" ? TensorMeta(.float32, [2, 3, 4]) : nil })
            Issue.record("dim 3 of a rank-3 X should be refused")
        } catch {
            let message = "\(error)"
            #expect(
                message.contains("'reduce_sum'") && message.contains("'X'") && message.contains("[2, 3, 4]"),
                "\(message)")
        }
    }

    @Test func unknownBatchSizeAtBuildTime() throws {
        let op = OpDesc(
            type: "reduce_mean", inputs: ["X": ["x"]], outputs: ["Out": ["o"]],
            attributes: ["dim": .ints([]), "reduce_all": .bool(true)])
        let result = try OpRegistry.inferShape(of: op, lookup: { $0 == "x" ? TensorMeta(.float32, [-1, 1]) : nil })
        #expect(result.first?.meta == TensorMeta(.float32, []))
    }
}

/// One-element spaces take the path where nothing is reduced; rerunning a plan must not add
/// the new result to the last one.
@Suite struct OneElementRerunTests {
    @Test func reduceMeanOfOneElementIsStableAcrossRuns() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 1]))
        try p.globalBlock.appendInferred(
            OpDesc(
                type: "reduce_mean", inputs: ["X": ["x"]], outputs: ["Out": ["y"]],
                attributes: ["reduce_all": .bool(true)]))
        let exe = Executor()
        let scope = Scope()
        for _ in 0..<3 {
            let y = try exe.run(
                p, scope: scope, feed: ["x": Tensor(shape: [1, 1], scalars: [2.5] as [Float])], fetch: ["y"])[0]
            #expect(try y.scalar(as: Float.self) == 2.5)
        }
    }

    @Test func oneElementGradientIsStableAcrossRuns() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "w", shape: [1], persistable: true, isParameter: true))
        p.globalBlock.addVar(VarDesc(name: "c", shape: [1]))
        try p.globalBlock.appendInferred(
            OpDesc(type: "elementwise_mul", inputs: ["X": ["w"], "Y": ["c"]], outputs: ["Out": ["y"]]))
        try p.globalBlock.appendInferred(
            OpDesc(
                type: "reduce_sum", inputs: ["X": ["y"]], outputs: ["Out": ["loss"]],
                attributes: ["reduce_all": .bool(true)]))
        try p.appendBackward(loss: "loss")
        let exe = Executor()
        let scope = Scope()
        try scope.set("w", Tensor(shape: [1], scalars: [4] as [Float]))
        for _ in 0..<3 {
            let g = try exe.run(
                p, scope: scope, feed: ["c": Tensor(shape: [1], scalars: [3] as [Float])], fetch: ["w@GRAD"])[0]
            #expect(try g.scalar(as: Float.self) == 3)
        }
    }
}
