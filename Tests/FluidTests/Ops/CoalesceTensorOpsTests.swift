import Testing

@testable import Fluid

/// `coalesce_tensor`: the fused buffer's layout (hand-computed offsets), its outputs as views
/// of it (an op on the buffer changes them, and ops writing them fill the buffer), and the
/// errors that name the slot at fault.
@Suite struct CoalesceTensorOpsTests {
    static let a = try! Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
    static let b = try! Tensor(shape: [2], scalars: [-1, -2] as [Float])

    /// A program: coalesce_tensor of a and b into out.a, out.b and fused, then `ops`.
    static func program(_ attributes: [String: Attribute], then ops: [OpDesc] = []) -> Program {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "a", shape: [2, 3]))
        p.globalBlock.addVar(VarDesc(name: "b", shape: [2]))
        p.globalBlock.appendOp(
            OpDesc(
                type: "coalesce_tensor", inputs: ["Input": ["a", "b"]],
                outputs: ["Output": ["out.a", "out.b"], "FusedOutput": ["fused"]], attributes: attributes))
        for op in ops { p.globalBlock.appendOp(op) }
        return p
    }

    static func run(_ p: Program, fetch: [String]) throws -> [[Float]] {
        try Executor().run(p, scope: Scope(), feed: ["a": a, "b": b], fetch: fetch).map {
            try $0.scalars(as: Float.self)
        }
    }

    @Test func copiedInputsSitOnAlignedOffsets() throws {
        // 6 floats = 24 bytes, padded to 64: b starts at element 16, and 2 floats pad to 16 more.
        let got = try Self.run(Self.program(["copy_data": .bool(true)]), fetch: ["fused", "out.a", "out.b"])
        #expect(got[0].count == 32)
        #expect(Array(got[0][0..<6]) == [1, 2, 3, 4, 5, 6] && Array(got[0][16..<18]) == [-1, -2])
        #expect(got[1] == [1, 2, 3, 4, 5, 6] && got[2] == [-1, -2])

        let packed = try Self.run(
            Self.program(["copy_data": .bool(true), "use_align": .bool(false)]), fetch: ["fused"])
        #expect(packed[0] == [1, 2, 3, 4, 5, 6, -1, -2])
        let sixteen = try Self.run(
            Self.program(["copy_data": .bool(true), "align_size": .int(16)]), fetch: ["fused"])
        #expect(sixteen[0].count == 12 && Array(sixteen[0][8..<10]) == [-1, -2])
    }

    @Test func anOpOnTheBufferChangesEveryOutput() throws {
        let double = OpDesc(
            type: "scale", inputs: ["X": ["fused"]], outputs: ["Out": ["fused"]], attributes: ["scale": .float(2)])
        let got = try Self.run(Self.program(["copy_data": .bool(true)], then: [double]), fetch: ["out.a", "out.b"])
        #expect(got[0] == [2, 4, 6, 8, 10, 12] && got[1] == [-2, -4])
    }

    @Test func opsWritingTheOutputsFillTheBuffer() throws {
        // Without copy_data the outputs are slices to be written, as gradients are.
        let writeA = OpDesc(
            type: "scale", inputs: ["X": ["a"]], outputs: ["Out": ["out.a"]], attributes: ["scale": .float(10)])
        let writeB = OpDesc(
            type: "scale", inputs: ["X": ["b"]], outputs: ["Out": ["out.b"]], attributes: ["scale": .float(3)])
        let p = Self.program([:], then: [writeA, writeB])
        let exe = Executor()
        let scope = Scope()
        for _ in 0..<2 {
            let fused = try exe.run(p, scope: scope, feed: ["a": Self.a, "b": Self.b], fetch: ["fused"])[0]
            let values = try fused.scalars(as: Float.self)
            #expect(Array(values[0..<6]) == [10, 20, 30, 40, 50, 60] && Array(values[16..<18]) == [-3, -6])
        }
    }

    @Test func setConstantFillsTheBuffer() throws {
        let got = try Self.run(
            Self.program(["set_constant": .bool(true), "constant": .float(0.5)]), fetch: ["out.a", "out.b"])
        #expect(got[0] == Array(repeating: 0.5, count: 6) && got[1] == [0.5, 0.5])
    }

    @Test func inPlaceInputsKeepTheirValues() throws {
        let p = Program()
        p.globalBlock.addVar(VarDesc(name: "a", shape: [2, 3]))
        p.globalBlock.addVar(VarDesc(name: "b", shape: [2]))
        let names = ["a", "b"]
        p.globalBlock.appendOp(
            OpDesc(
                type: "coalesce_tensor", inputs: ["Input": names],
                outputs: ["Output": names, "FusedOutput": ["fused"]],
                attributes: ["copy_data": .bool(true), "check_name": .bool(true)]))
        let got = try Executor().run(p, scope: Scope(), feed: ["a": Self.a, "b": Self.b], fetch: ["fused"])
        let values = try got[0].scalars(as: Float.self)
        #expect(Array(values[0..<6]) == [1, 2, 3, 4, 5, 6] && Array(values[16..<18]) == [-1, -2])
    }

    @Test func badInputsAreRefusedByName() throws {
        let mixed = Program()
        mixed.globalBlock.addVar(VarDesc(name: "a", shape: [2, 3]))
        mixed.globalBlock.addVar(VarDesc(name: "i", dtype: .int64, shape: [2]))
        mixed.globalBlock.appendOp(
            OpDesc(
                type: "coalesce_tensor", inputs: ["Input": ["a", "i"]],
                outputs: ["Output": ["x", "y"], "FusedOutput": ["fused"]]))
        let i = try Tensor(shape: [2], scalars: [1, 2] as [Int64])
        let message = thrownMessage { try Executor().run(mixed, scope: Scope(), feed: ["a": Self.a, "i": i]) }
        #expect(message?.contains("Input[1]") == true && message?.contains("float32") == true, "\(message ?? "")")

        let renamed = Self.program(["check_name": .bool(true)])
        let named = thrownMessage { _ = try Self.run(renamed, fetch: ["fused"]) }
        #expect(named?.contains("check_name") == true, "\(named ?? "")")

        let odd = Self.program(["align_size": .int(10)])
        let align = thrownMessage { _ = try Self.run(odd, fetch: ["fused"]) }
        #expect(align?.contains("align_size") == true, "\(align ?? "")")
    }
}
