import Testing

@testable import Fluid

@Suite struct ExecutorTests {
    func reluProgram() -> Program {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 3], needCheckFeed: true))
        p.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["y"]]))
        return p
    }

    /// A program holding Paddle's feed and fetch ops, written by hand with the ops out of column order:
    /// its feed targets and default fetches follow `col`, not the order of the ops.
    @Test func feedAndFetchOpsAreOrderedByColumn() throws {
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "feed", kind: .feedMinibatch, persistable: true))
        b.addVar(VarDesc(name: "fetch", kind: .fetchList, persistable: true))
        b.addVar(VarDesc(name: "a", shape: [2]))
        b.addVar(VarDesc(name: "b", shape: [2]))
        for (col, name) in [(1, "b"), (0, "a")] {
            b.appendOp(
                OpDesc(
                    type: "feed", inputs: ["X": ["feed"]], outputs: ["Out": [name]],
                    attributes: ["col": .int(Int32(col))]))
        }
        b.appendOp(OpDesc(type: "elementwise_sub", inputs: ["X": ["a"], "Y": ["b"]], outputs: ["Out": ["difference"]]))
        b.appendOp(OpDesc(type: "elementwise_mul", inputs: ["X": ["a"], "Y": ["b"]], outputs: ["Out": ["product"]]))
        for (col, name) in [(1, "product"), (0, "difference")] {
            b.appendOp(
                OpDesc(
                    type: "fetch", inputs: ["X": [name]], outputs: ["Out": ["fetch"]],
                    attributes: ["col": .int(Int32(col))]))
        }
        let exe = Executor()
        #expect(try exe.feedTargets(of: p) == ["a", "b"])
        let feed = try [
            "a": Tensor(shape: [2], scalars: [5, 7] as [Float]), "b": Tensor(shape: [2], scalars: [2, 3] as [Float]),
        ]
        let fetched = try exe.run(p, scope: Scope(), feed: feed)
        #expect(try fetched.map { try $0.scalars(as: Float.self) } == [[3, 4], [10, 21]])
    }

    /// Fetching by the builder's variables: values looked up by variable, scalars read with a
    /// check of dtype and size, and a variable that was not fetched named in the error.
    @Test func fetchByVariable() throws {
        let main = Program()
        let net = ProgramBuilder(main: main, startup: Program())
        let x = net.data("x", shape: [-1, 3])
        let total = try net.reduceSum(x)
        let doubled = try net.scale(x, scale: 2)
        let out = try Executor().run(
            main, scope: Scope(), feed: ["x": Tensor(shape: [1, 3], scalars: [1, 2, 3] as [Float])],
            fetch: [doubled, total])
        #expect(try out.scalar(total) == 6)
        #expect(try out.tensor(doubled).scalars(as: Float.self) == [2, 4, 6])
        #expect(throws: FluidError.self) { try out.scalar(doubled) }  // three elements
        #expect(throws: FluidError.self) { try out.scalar(total, as: Int64.self) }  // float32
        let error = #expect(throws: FluidError.self) { try out.tensor(x) }
        #expect(
            error?.description.contains("'x'") == true && error?.description.contains("not among the fetched") == true)
    }

    @Test func plansAreReusedForTheSameShapesAndRecompiledForNewOnes() throws {
        let p = reluProgram()
        let exe = Executor()
        let scope = Scope()
        let a = try Tensor(shape: [2, 3], scalars: [-1, 2, -3, 4, -5, 6] as [Float])
        let y1 = try exe.run(p, scope: scope, feed: ["x": a], fetch: ["y"])[0]
        #expect(try y1.scalars(as: Float.self) == [0, 2, 0, 4, 0, 6])
        #expect(exe.plansCompiled == 1)
        _ = try exe.run(p, scope: scope, feed: ["x": a], fetch: ["y"])
        #expect(exe.plansCompiled == 1)
        let b = try Tensor(shape: [1, 3], scalars: [1, -1, 1] as [Float])
        let y2 = try exe.run(p, scope: scope, feed: ["x": b], fetch: ["y"])[0]
        #expect(exe.plansCompiled == 2)
        #expect(try y2.shape == [1, 3] && y2.scalars(as: Float.self) == [1, 0, 1])
        // Back to the first shape: the cached plan runs and resizes its outputs again.
        let y3 = try exe.run(p, scope: scope, feed: ["x": a], fetch: ["y"])[0]
        #expect(exe.plansCompiled == 2)
        #expect(try y3.shape == [2, 3] && y3.scalars(as: Float.self) == [0, 2, 0, 4, 0, 6])
        // A changed program is stale.
        p.globalBlock.ops[0].attributes["use_cudnn"] = .bool(false)
        _ = try exe.run(p, scope: scope, feed: ["x": a], fetch: ["y"])
        #expect(exe.plansCompiled == 3)
    }

    @Test func feedOfWrongRankOrDtypeNamesTheVariableAndShapes() throws {
        let p = reluProgram()
        let exe = Executor()
        let wrongRank = try Tensor(dtype: .float32, shape: [2, 3, 1])
        do {
            try exe.run(p, scope: Scope(), feed: ["x": wrongRank])
            Issue.record("a rank-3 feed for a rank-2 variable must fail")
        } catch {
            let text = "\(error)"
            #expect(text.contains("'x'") && text.contains("[-1, 3]") && text.contains("[2, 3, 1]"), "\(text)")
        }
        let wrongType = try Tensor(dtype: .int64, shape: [2, 3])
        do {
            try exe.run(p, scope: Scope(), feed: ["x": wrongType])
            Issue.record("an int64 feed for a float32 variable must fail")
        } catch {
            let text = "\(error)"
            #expect(text.contains("'x'") && text.contains("float32") && text.contains("int64"), "\(text)")
        }
        do {
            try exe.run(p, scope: Scope(), feed: ["x": Tensor(dtype: .float32, shape: [2, 4])])
            Issue.record("a feed with the wrong width must fail")
        } catch {
            #expect("\(error)".contains("[2, 4]"))
        }
    }

    @Test func unfedDataVariableAndUnknownOpAreReported() throws {
        let exe = Executor()
        #expect(throws: FluidError.self) { try exe.run(reluProgram(), scope: Scope()) }
        let p = Program()
        p.globalBlock.appendOp(OpDesc(type: "no_such_op", outputs: ["Out": ["y"]]))
        do {
            try exe.run(p, scope: Scope())
            Issue.record("unknown op must fail")
        } catch {
            #expect("\(error)".contains("no_such_op"))
        }
    }

    @Test func aParameterThatChangesShapeGetsANewPlan() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "w", shape: [-1], persistable: true))
        p.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["w"]], outputs: ["Out": ["y"]]))
        let exe = Executor()
        let scope = Scope()
        try scope.set("w", Tensor(shape: [2], scalars: [-1, 2] as [Float]))
        #expect(try exe.run(p, scope: scope, fetch: ["y"])[0].scalars(as: Float.self) == [0, 2])
        try scope.set("w", Tensor(shape: [5], scalars: [1, -2, 3, -4, 5] as [Float]))
        #expect(try exe.run(p, scope: scope, fetch: ["y"])[0].scalars(as: Float.self) == [1, 0, 3, 0, 5])
        #expect(exe.plansCompiled == 2)
    }

    @Test func anOutputOfUnknownSizeIsAnErrorNotACrash() throws {
        let p = Program()
        p.globalBlock.appendOp(
            OpDesc(type: "fill_constant", outputs: ["Out": ["y"]], attributes: ["shape": .longs([-1, 2])]))
        #expect(throws: FluidError.self) { try Executor().run(p, scope: Scope()) }
    }

    @Test func runningBeforeTheStartupProgramSaysSo() throws {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let x = net.data("x", shape: [-1, 2])
        let y = try net.fc(x, size: 3)
        do {
            try Executor().run(
                main, scope: Scope(), feed: ["x": Tensor(shape: [1, 2], scalars: [1, 2] as [Float])], fetch: [y.name])
            Issue.record("running without parameters must fail")
        } catch {
            #expect("\(error)".contains("fc_0.w_0") && "\(error)".contains("startup"), "\(error)")
        }
    }

    @Test func checkNaNInfNamesTheFirstOpAndVariable() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 2]))
        p.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["y"]]))
        p.globalBlock.appendOp(OpDesc(type: "sqrt", inputs: ["X": ["x"]], outputs: ["Out": ["z"]]))
        let exe = Executor()
        exe.checkNaNInf = true
        do {
            try exe.run(p, scope: Scope(), feed: ["x": Tensor(shape: [1, 2], scalars: [4, -1] as [Float])])
            Issue.record("sqrt(-1) must be reported")
        } catch FluidError.nanOrInf(let op, let variable, let index) {
            #expect(op == "sqrt" && variable == "z" && index == 1)
        }
    }

    @Test func persistablesLiveInTheGivenScopeAndTemporariesInItsChild() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "w", shape: [2], persistable: true))
        p.globalBlock.appendOp(
            OpDesc(
                type: "fill_constant", outputs: ["Out": ["w"]], attributes: ["shape": .longs([2]), "value": .float(3)]))
        p.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["w"]], outputs: ["Out": ["t"]]))
        let scope = Scope()
        try Executor().run(p, scope: scope)
        #expect(scope.holds("w") && !scope.holds("t"))
        #expect(try scope["w"]?.scalars(as: Float.self) == [3, 3])
    }
}
