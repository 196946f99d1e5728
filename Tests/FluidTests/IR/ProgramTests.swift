import Testing

@testable import Fluid

@Suite struct ProgramTests {
    @Test func everyChangeBumpsTheVersion() {
        let p = Program()
        let v0 = p.version
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 3]))
        let v1 = p.version
        p.globalBlock.appendOp(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["y"]]))
        let v2 = p.version
        p.globalBlock.ops[0].attributes["use_cudnn"] = .bool(false)
        #expect(v0 < v1 && v1 < v2 && v2 < p.version)
    }

    @Test func uniqueNamesFollowPaddle() {
        var names = UniqueNameGenerator()
        #expect(names.next("fc") == "fc_0")
        #expect(names.next("fc") == "fc_1")
        #expect(names.next("fc_0.tmp") == "fc_0.tmp_0")
        #expect(names.next("fc_0.tmp") == "fc_0.tmp_1")
        #expect(names.next("conv2d") == "conv2d_0")
    }

    @Test func opRolesMatchPaddle() {
        var op = OpDesc(type: "fill_constant")
        #expect(op.role == .forward)
        op.role = [.backward, .loss]
        #expect(op.attributes["op_role"] == .int(257))
        #expect(OpRole.optimize.rawValue == 2 && OpRole.lrSched.rawValue == 16)
    }

    @Test func descriptionShowsOpsWithShapes() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "x", shape: [-1, 3]))
        try p.globalBlock.appendInferred(OpDesc(type: "relu", inputs: ["X": ["x"]], outputs: ["Out": ["y"]]))
        #expect(p.description.contains("Out=y[-1, 3] = relu(X=x[-1, 3])"))
    }

    @Test func copyIsDeep() {
        let p = Program()
        p.randomSeed = 90
        p.globalBlock.addVar(VarDesc(name: "x", shape: [2]))
        let c = p.copy()
        c.globalBlock.addVar(VarDesc(name: "y", shape: [2]))
        #expect(p.globalBlock.findVar("y") == nil)
        #expect(c.globalBlock.findVar("x")?.shape == [2])
        #expect(c.randomSeed == 90)
    }

    @Test func typedAttributeReadsNameTheOpAndAttribute() {
        let op = OpDesc(type: "conv2d", attributes: ["groups": .string("two")])
        #expect(throws: FluidError.self) { try op.int("groups") }
        do { _ = try op.int("groups") } catch {
            #expect("\(error)".contains("conv2d") && "\(error)".contains("groups"))
        }
        #expect((try? op.int("strides")) == nil)
    }
}
