import Foundation
import Testing

@testable import Fluid

/// `DataParallel(bucketBytes: 0)` against PaddlePaddle 3.3.1's collective transpiler
/// (`GradAllReduce`, 2 ranks) on the tutorial's training programs Paddle built
/// (Tests/Fixtures/paddle/collective): the same ops in the same places, with Paddle 3's names for
/// them (`all_reduce` with reduce_type 0 for `c_allreduce_sum`, `broadcast` for `c_broadcast`),
/// and Paddle's stream-order ops (`c_sync_calc_stream`, `c_sync_comm_stream`), which mean
/// nothing on a CPU, left out. Paddle's rewritten program also runs here and trains as ours.
@Suite struct DataParallelPaddleParityTests {
    static func load(_ relative: String) throws -> Program {
        try ProgramDesc.decode(Fixtures.data(relative), source: relative)
    }

    /// Each op as `type(slot=names, ...) -> (slot=names, ...) {collective attributes}`, in
    /// DataParallel's vocabulary.
    static func summary(_ ops: [OpDesc]) -> [String] {
        ops.compactMap { op in
            var type = op.type
            var rename: (String) -> String = { $0 }
            switch op.type {
            case "c_sync_calc_stream", "c_sync_comm_stream": return nil
            case "all_reduce":
                type = op.attributes["reduce_type"] == .int(0) ? "c_allreduce_sum" : "all_reduce?"
                rename = { $0 == "x" ? "X" : $0 == "out" ? "Out" : $0 }
            case "broadcast":
                type = "c_broadcast"
                rename = { $0 == "x" ? "X" : $0 == "out" ? "Out" : $0 }
            default: break
            }
            func slots(_ pairs: [(slot: String, names: [String])]) -> String {
                pairs.filter { !$0.names.isEmpty }.map { (rename($0.slot), $0.names) }.sorted { $0.0 < $1.0 }
                    .map { "\($0.0)=\($0.1.joined(separator: ","))" }.joined(separator: " ")
            }
            let watched = type.hasPrefix("c_") || type == "scale" ? ["ring_id", "root", "scale"] : []
            let attributes = watched.compactMap { name in op.attributes[name].map { "\(name)=\($0)" } }
            return "\(type)(\(slots(op.inputs))) -> (\(slots(op.outputs))) {\(attributes.joined(separator: " "))}"
        }
    }

    @Test(arguments: ["mlp", "cnn"]) func opsMatchPaddles(model: String) throws {
        let main = try Self.load("programs/\(model).train_main.programdesc")
        let startup = try Self.load("programs/\(model).startup.programdesc")
        try DataParallel(nranks: 2, bucketBytes: 0).apply(main: main, startup: startup)
        let paddleMain = try Self.load("collective/\(model).main.programdesc")
        let paddleStartup = try Self.load("collective/\(model).startup.programdesc")

        let (ours, theirs) = (Self.summary(main.globalBlock.ops), Self.summary(paddleMain.globalBlock.ops))
        #expect(ours.count == theirs.count)
        for (i, (a, b)) in zip(ours, theirs).enumerated() { #expect(a == b, "op \(i)") }
        #expect(ours.filter { $0.hasPrefix("c_allreduce_sum") }.count == (model == "mlp" ? 6 : 8))
        #expect(Self.summary(startup.globalBlock.ops) == Self.summary(paddleStartup.globalBlock.ops))
    }

    /// Alone (rank 0 of 1), Paddle's rewritten MLP and ours take the same three Adam steps,
    /// bit for bit: the scale halves the loss gradient in both, and the collectives are identities.
    @Test func paddlesRewrittenProgramRunsAndTrainsAsOurs() throws {
        let main = try Self.load("programs/mlp.train_main.programdesc")
        let startup = try Self.load("programs/mlp.startup.programdesc")
        try DataParallel(nranks: 2, bucketBytes: 0).apply(main: main, startup: startup)
        let paddleMain = try Self.load("collective/mlp.main.programdesc")
        let paddleStartup = try Self.load("collective/mlp.startup.programdesc")

        let pixels: [Float] = (0..<(8 * 784)).map { i in Float((i * 37) % 255) / 127.5 - 1 }
        let images = try Tensor(shape: [8, 1, 28, 28], scalars: pixels)
        let classes: [Int64] = (0..<8).map { i in Int64((i * 3) % 10) }
        let labels = try Tensor(shape: [8, 1], scalars: classes)
        func train(_ main: Program, _ startup: Program) throws -> [String: [Float]] {
            let exe = Executor()
            let scope = Scope()
            try exe.run(startup, scope: scope)
            for _ in 0..<3 { try exe.run(main, scope: scope, feed: ["img": images, "label": labels]) }
            let names = main.globalBlock.vars.filter(\.isParameter).map(\.name)
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try scope[$0]!.scalars(as: Float.self)) })
        }
        let (ours, theirs) = (try train(main, startup), try train(paddleMain, paddleStartup))
        #expect(ours.count == 6 && ours == theirs)
    }
}
