import Testing

@testable import Fluid

@Suite struct DeadCodeEliminationTests {
    /// x -> relu -> a (fetched); a -> sigmoid -> b -> tanh -> c, read by nobody.
    private func chain() throws -> Program {
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "x", shape: [-1, 3], needCheckFeed: true))
        try b.appendInferred(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["a"]]))
        try b.appendInferred(OpDesc(type: "sigmoid", inputs: ["X": ["a"]], outputs: ["Out": ["b"]]))
        try b.appendInferred(OpDesc(type: "tanh", inputs: ["X": ["b"]], outputs: ["Out": ["c"]]))
        return p
    }

    @Test func removesDeadChainsToAFixedPoint() throws {
        let p = try chain()
        let report = try DeadCodeElimination(fetches: ["a"]).apply(to: p, scope: nil)
        #expect(opTypes(p) == ["relu"])
        #expect(report.opsRemoved == 2 && report.variablesRemoved == 2)
        #expect(
            p.globalBlock.findVar("b") == nil && p.globalBlock.findVar("c") == nil && p.globalBlock.findVar("x") != nil)
        let x = Tensor.random([2, 3], seed: 1)
        let a = try Executor().run(p, scope: Scope(), feed: ["x": x], fetch: ["a"])[0]
        #expect(try a.scalars(as: Float.self) == x.scalars(as: Float.self).map { max($0, 0) })
    }

    @Test func fetchOpsAndPersistableWritesKeepOpsAlive() throws {
        let p = try chain()
        let b = try p.globalBlock
        b.addVar(VarDesc(name: "fetch", kind: .fetchList, persistable: true))
        b.addVar(VarDesc(name: "state", shape: [-1, 3], persistable: true))
        b.appendOp(
            OpDesc(type: "scale", inputs: ["X": ["x"]], outputs: ["Out": ["state"]], attributes: ["scale": .float(2)]))
        b.appendOp(
            OpDesc(type: "fetch", inputs: ["X": ["b"]], outputs: ["Out": ["fetch"]], attributes: ["col": .int(0)]))
        try DeadCodeElimination().apply(to: p, scope: nil)
        #expect(opTypes(p) == ["relu", "sigmoid", "scale", "fetch"], "tanh alone is dead")
    }

    @Test func liveProgramIsUntouched() throws {
        let p = try chain()
        let report = try DeadCodeElimination(fetches: ["c"]).apply(to: p, scope: nil)
        #expect(report.opsRemoved == 0 && report.variablesRemoved == 0 && opTypes(p) == ["relu", "sigmoid", "tanh"])
    }

    @Test func refusesWithoutFetchTargets() throws {
        let message = thrownMessage { try DeadCodeElimination().apply(to: try chain(), scope: nil) }
        #expect(message?.contains("dead_code_elimination") == true, "\(message ?? "no error")")
    }
}
