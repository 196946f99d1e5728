import ArgumentParser
import Fluid
import FluidDistributed
import Foundation

/// `fluid collectives`: runs every collective op once on each rank of an MPI job, on tensors
/// whose values depend on the rank, and prints what each rank got: a check that MPI works
/// between the ranks (and hosts) before a long distributed training run.
struct Collectives: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run each collective op once on every rank (under mpirun) and print the results.",
        discussion: """
            Start it as `mpirun -np N fluid collectives`; alone, it runs as rank 0 of 1. Rank r of N \
            prints one JSON line: {"rank": r, "size": N, "communicator": ..., "results": {op: values}}, for \
            these inputs, element i of each:
              c_allreduce_sum  (in place)  float32 [2, 3]: (r + 1) * (i + 1)
              c_allreduce_max              int64 [5]:      (i * (r + 2)) mod 7
              c_allreduce_min              float64 [4]:    r + 1 - 0.5 * i
              c_allreduce_prod (in place)  float32 [3]:    1 + 0.5 * r + i
              c_broadcast      (in place)  int32 [4]:      100 * r + i, from rank --root (default N - 1)
              barrier                      the allreduced sum, copied.
            --fail-rank makes that rank stop with an error before the collectives; --stall-rank makes \
            it sleep --stall-seconds first, so the others reach their collective timeout \
            (FLUID_COLLECTIVE_TIMEOUT seconds, default 300).
            """)

    @Option(help: "The broadcast's root rank (default: the last rank).") var root: Int?
    @Option(help: "This rank stops with an error before any collective.") var failRank: Int?
    @Option(help: "This rank sleeps --stall-seconds before the collectives.") var stallRank: Int?
    @Option(help: "Seconds --stall-rank sleeps.") var stallSeconds: Double = 30

    func run() throws {
        let communicator: any Communicator = try MPICommunicator.startIfLaunched() ?? SingleProcessCommunicator()
        let (rank, size) = (communicator.rank, communicator.size)
        if failRank == rank { throw CommunicatorError("rank \(rank) was asked to fail (--fail-rank \(rank))") }
        if stallRank == rank { Thread.sleep(forTimeInterval: stallSeconds) }

        let program = Program()
        let block = program.globalBlock
        func variable<T: TensorElement>(_ name: String, _ shape: [Int], _ value: (Int) -> T) throws -> Tensor {
            block.addVar(VarDesc(name: name, dtype: T.dataType, shape: shape, persistable: true))
            return try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(value))
        }
        let scope = Scope()
        scope.set("sum", try variable("sum", [2, 3]) { Float((rank + 1) * ($0 + 1)) })
        scope.set("ints", try variable("ints", [5]) { Int64(($0 * (rank + 2)) % 7) })
        scope.set("doubles", try variable("doubles", [4]) { Double(rank + 1) - 0.5 * Double($0) })
        scope.set("prod", try variable("prod", [3]) { 1 + 0.5 * Float(rank) + Float($0) })
        scope.set("bcast", try variable("bcast", [4]) { Int32(100 * rank + $0) })
        for (name, dtype, shape) in [
            ("max", DataType.int64, [5]), ("min", .float64, [4]), ("barrier_out", .float32, [2, 3]),
        ] {
            block.addVar(VarDesc(name: name, dtype: dtype, shape: shape, persistable: true))
        }
        func op(_ type: String, _ x: String, _ out: String, _ attributes: [String: Attribute] = [:]) {
            block.appendOp(OpDesc(type: type, inputs: ["X": [x]], outputs: ["Out": [out]], attributes: attributes))
        }
        op("c_allreduce_sum", "sum", "sum")
        op("c_allreduce_max", "ints", "max")
        op("c_allreduce_min", "doubles", "min")
        op("c_allreduce_prod", "prod", "prod")
        op("c_broadcast", "bcast", "bcast", ["root": .int(Int32(clamping: root ?? size - 1))])
        op("barrier", "sum", "barrier_out")
        try Executor().run(program, scope: scope)

        func values(_ name: String) throws -> [Double] {
            guard let t = scope[name] else { throw ValidationError("\(name) is missing from the scope") }
            switch t.dtype {
            case .float32: return try t.scalars(as: Float.self).map(Double.init)
            case .float64: return try t.scalars(as: Double.self)
            case .int32: return try t.scalars(as: Int32.self).map(Double.init)
            default: return try t.scalars(as: Int64.self).map(Double.init)
            }
        }
        let results: [String: [Double]] = [
            "c_allreduce_sum": try values("sum"), "c_allreduce_max": try values("max"),
            "c_allreduce_min": try values("min"), "c_allreduce_prod": try values("prod"),
            "c_broadcast": try values("bcast"), "barrier": try values("barrier_out"),
        ]
        let line: [String: Any] = ["rank": rank, "size": size, "communicator": communicator.name, "results": results]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
