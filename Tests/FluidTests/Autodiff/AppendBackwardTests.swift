import Foundation
import Testing

@testable import Fluid

@Suite struct AppendBackwardTests {
    /// Declares a trainable parameter `name` and returns a scope holding `values` for it.
    func parameter(_ p: Program, _ name: String, _ values: [Float]) throws -> Tensor {
        p.globalBlock.addVar(VarDesc(name: name, shape: [values.count], persistable: true, isParameter: true))
        return try Tensor(shape: [values.count], scalars: values)
    }

    @Test func aVariableUsedTwiceGetsTheSumOfBothGradients() throws {
        let p = Program()
        let w = try parameter(p, "w", [0.7, -0.3, 1.2])
        let b = p.globalBlock
        try b.appendInferred(OpDesc(type: "relu", inputs: ["X": ["w"]], outputs: ["Out": ["a"]]))
        try b.appendInferred(OpDesc(type: "sigmoid", inputs: ["X": ["w"]], outputs: ["Out": ["s"]]))
        try b.appendInferred(
            OpDesc(type: "elementwise_add", inputs: ["X": ["a"], "Y": ["s"]], outputs: ["Out": ["c"]]))
        try b.appendInferred(
            OpDesc(
                type: "reduce_sum", inputs: ["X": ["c"]], outputs: ["Out": ["loss"]],
                attributes: ["reduce_all": .bool(true)]))
        let grads = try p.appendBackward(loss: "loss")
        #expect(grads == [ParameterGradient(parameter: "w", gradient: "w@GRAD")])
        let sum = try #require(b.ops.first { $0.type == "sum" })
        #expect(sum.input("X") == ["w@GRAD@RENAME@block0@0", "w@GRAD@RENAME@block0@1"])
        #expect(sum.output("Out") == ["w@GRAD"])

        let scope = Scope()
        scope.set("w", w)
        let g = try Executor().run(p, scope: scope, fetch: ["w@GRAD"])[0].scalars(as: Float.self)
        for (i, x) in try w.scalars(as: Float.self).enumerated() {
            let s = 1 / (1 + exp(-x))
            let want = (x > 0 ? 1 : 0) + s * (1 - s)
            #expect(abs(g[i] - want) < 1e-6, "element \(i): \(g[i]) vs \(want)")
        }
    }

    @Test func dataGetsNoGradientAndTheLossSeedIsMarked() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 3], stopGradient: true, needCheckFeed: true))
        p.globalBlock.addVar(VarDesc(name: "w", shape: [3, 2], persistable: true, isParameter: true))
        try p.globalBlock.appendInferred(
            OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["w"]], outputs: ["Out": ["y"]]))
        try p.globalBlock.appendInferred(OpDesc(type: "mean", inputs: ["X": ["y"]], outputs: ["Out": ["loss"]]))
        try p.appendBackward(loss: "loss")
        let ops = p.globalBlock.ops
        #expect(ops.map(\.type) == ["mul", "mean", "fill_constant", "mean_grad", "mul_grad"])
        #expect(ops[1].role == .loss)
        #expect(ops[2].role == [.backward, .loss] && ops[2].output("Out") == ["loss@GRAD"])
        #expect(ops[4].output("X@GRAD").isEmpty && ops[4].output("Y@GRAD") == ["w@GRAD"])
        #expect(p.globalBlock.findVar("x@GRAD") == nil)
        #expect(p.globalBlock.findVar("w@GRAD")?.shape == [3, 2])
    }

    @Test func branchesThatDoNotReachTheLossArePruned() throws {
        let p = Program()
        _ = try parameter(p, "w1", [1, 2])
        _ = try parameter(p, "w2", [3, 4])
        try p.globalBlock.appendInferred(OpDesc(type: "relu", inputs: ["X": ["w1"]], outputs: ["Out": ["a"]]))
        try p.globalBlock.appendInferred(OpDesc(type: "relu", inputs: ["X": ["w2"]], outputs: ["Out": ["unused"]]))
        try p.globalBlock.appendInferred(
            OpDesc(
                type: "reduce_sum", inputs: ["X": ["a"]], outputs: ["Out": ["loss"]],
                attributes: ["reduce_all": .bool(true)]))
        let grads = try p.appendBackward(loss: "loss")
        #expect(grads.map(\.parameter) == ["w1"])
        #expect(p.globalBlock.ops.filter { $0.type == "relu_grad" }.count == 1)
        #expect(p.globalBlock.findVar("w2@GRAD") == nil)
    }

    @Test func noGradSetStopsTheGradient() throws {
        let p = Program()
        _ = try parameter(p, "w1", [1, 2])
        _ = try parameter(p, "w2", [3, 4])
        try p.globalBlock.appendInferred(
            OpDesc(type: "elementwise_mul", inputs: ["X": ["w1"], "Y": ["w2"]], outputs: ["Out": ["a"]]))
        try p.globalBlock.appendInferred(
            OpDesc(
                type: "reduce_sum", inputs: ["X": ["a"]], outputs: ["Out": ["loss"]],
                attributes: ["reduce_all": .bool(true)]))
        let grads = try p.appendBackward(loss: "loss", noGradSet: ["w2"])
        #expect(grads.map(\.parameter) == ["w1"])
    }

    @Test func aLossWithoutParametersIsAnError() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [2], stopGradient: true, needCheckFeed: true))
        try p.globalBlock.appendInferred(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["loss"]]))
        #expect(throws: FluidError.self) { try p.appendBackward(loss: "loss") }
    }
}
