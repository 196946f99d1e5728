import Testing

@testable import Fluid

/// The collective ops in one process (ring 0 is the single-process communicator): each leaves
/// its data as it is, copies it when Out is another variable, and refuses what no group of one
/// can do. Between processes, FluidToolTests' CollectivesCommandTests run them under mpirun.
@Suite struct CollectiveOpsTests {
    @Test(arguments: [
        "c_allreduce_sum", "c_allreduce_max", "c_allreduce_min", "c_allreduce_prod", "c_broadcast", "barrier",
    ])
    func aloneTheResultIsTheInput(type: String) throws {
        let x = try Tensor(shape: [2, 2], scalars: [1.5, -2, 3, 0.25] as [Float])
        let t = OpTest(type, inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 2], expected: [1.5, -2, 3, 0.25], tolerance: 0)
    }

    /// Paddle 3's names for them (lower-case slots), and its stream-order ops.
    @Test(arguments: ["all_reduce", "broadcast"]) func paddle3NamesToo(type: String) throws {
        let x = try Tensor(shape: [3], scalars: [1.5, -2, 3] as [Float])
        let t = OpTest(type, inputs: ["x": x], outputs: ["out"])
        try t.checkOutput("out", shape: [3], expected: [1.5, -2, 3], tolerance: 0)
    }

    @Test(arguments: ["c_sync_calc_stream", "c_sync_comm_stream"]) func streamOrderOpsAreIdentities(type: String) throws
    {
        let a = try Tensor(shape: [2], scalars: [4, 5] as [Float])
        let b = try Tensor(shape: [1], scalars: [-1] as [Float])
        let out = OpTest(type, multiInputs: ["X": [a, b]], outputs: ["Out": 2])
        let program = out.program([out.forwardOp])
        let got = try Executor().run(
            program, scope: Scope(), feed: out.feeds, fetch: [OpTest.outputName("Out", 0), OpTest.outputName("Out", 1)])
        #expect(try got.map { try $0.scalars(as: Float.self) } == [[4, 5], [-1]])
    }

    @Test func anUnimplementedReduceTypeIsRefusedByName() throws {
        let x = try Tensor(shape: [1], scalars: [1] as [Float])
        let t = OpTest("all_reduce", inputs: ["x": x], attributes: ["reduce_type": .int(4)], outputs: ["out"])
        let message = thrownMessage { _ = try t.run() }
        #expect(message?.contains("reduce_type") == true && message?.contains("4") == true, "\(message ?? "")")
    }

    @Test func integersToo() throws {
        let x = try Tensor(shape: [3], scalars: [7, -1, 4] as [Int64])
        let out = try OpTest("c_allreduce_max", inputs: ["X": x], outputs: ["Out"]).run()
        #expect(try out["Out"]?.scalars(as: Int64.self) == [7, -1, 4])
    }

    @Test func aRootOutsideTheGroupIsRefusedByName() throws {
        let x = try Tensor(shape: [1], scalars: [1] as [Float])
        let t = OpTest("c_broadcast", inputs: ["X": x], attributes: ["root": .int(1)], outputs: ["Out"])
        let message = thrownMessage { _ = try t.run() }
        #expect(message?.contains("c_broadcast") == true && message?.contains("root 1") == true, "\(message ?? "")")
    }

    @Test func anUnknownRingIsRefusedByName() throws {
        let x = try Tensor(shape: [1], scalars: [1] as [Float])
        let t = OpTest("c_allreduce_sum", inputs: ["X": x], attributes: ["ring_id": .int(3)], outputs: ["Out"])
        let message = thrownMessage { _ = try t.run() }
        #expect(message?.contains("ring_id 3") == true, "\(message ?? "")")
    }

    @Test func booleansAreRefused() throws {
        let x = try Tensor(shape: [1], scalars: [true])
        let message = thrownMessage { _ = try OpTest("c_allreduce_sum", inputs: ["X": x], outputs: ["Out"]).run() }
        #expect(message?.contains("bool") == true, "\(message ?? "")")
    }
}
