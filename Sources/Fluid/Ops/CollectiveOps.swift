/// Paddle's collective ops, what a data-parallel program exchanges between its ranks with:
///
/// - `c_allreduce_sum` (and `_max`, `_min`, `_prod`): X -> Out, the element-wise reduction of
///   X over every rank of the ring, on every rank. Out is X in Paddle's data-parallel programs
///   (in place); another Out receives the result and X is left alone.
/// - `c_broadcast`: X -> Out, rank `root`'s X on every rank (in place in Paddle's startup
///   programs, where it makes every rank start from rank 0's parameters).
/// - `barrier`: X -> Out (X copied), returning when every rank of the ring has reached it.
///
/// Attributes as Paddle's: `ring_id` (which communicator, `CommunicatorRings`), and
/// `use_calc_stream`, `use_model_parallel`, which only order GPU streams and are accepted and
/// ignored. Elements are float32, float64, int32 or int64. The ops have no gradient: they are
/// inserted after the backward pass. A collective that fails throws an error naming the op,
/// the rank and the variable.
enum CollectiveOps {
    static let elementTypes: [DataType] = [.float32, .float64, .int32, .int64]

    static func allReduce(_ operation: ReduceOperation) -> OpDefinition {
        OpDefinition(
            OpSchema(
                "c_allreduce_\(operation.rawValue)", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
                attributes: [
                    AttributeSpec("ring_id", .int(0)), AttributeSpec("use_calc_stream", .bool(false)),
                    AttributeSpec("use_model_parallel", .bool(false)),
                ]),
            inferShape: sameAsInput,
            kernel: { ctx in
                let (x, out) = (try ctx.input("X"), try ctx.output("Out"))
                let communicator = try ringCommunicator(ctx)
                let variable = ctx.op.input("X").first ?? "X"
                return {
                    if out !== x { out.copy(from: x) }
                    try run(ctx, communicator, variable) {
                        try communicator.allReduce(
                            out.rawPointer, count: out.count, dtype: out.dtype, operation: operation)
                    }
                }
            })
    }

    static let broadcast = OpDefinition(
        OpSchema(
            "c_broadcast", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("ring_id", .int(0)), AttributeSpec("root", .int(0)),
                AttributeSpec("use_calc_stream", .bool(false)),
            ]),
        inferShape: sameAsInput,
        kernel: { ctx in
            let (x, out) = (try ctx.input("X"), try ctx.output("Out"))
            let communicator = try ringCommunicator(ctx)
            let root = try ctx.op.int("root")
            guard (0..<communicator.size).contains(root) else {
                throw ctx.error(
                    "root \(root) is not a rank of ring \(try ctx.op.int("ring_id")) (size \(communicator.size))")
            }
            let variable = ctx.op.input("X").first ?? "X"
            return {
                if out !== x { out.copy(from: x) }
                try run(ctx, communicator, variable) {
                    try communicator.broadcast(out.rawPointer, byteCount: out.byteCount, root: root)
                }
            }
        })

    static let barrier = OpDefinition(
        OpSchema(
            "barrier", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [AttributeSpec("ring_id", .int(0))]),
        inferShape: sameAsInput,
        kernel: { ctx in
            let (x, out) = (try ctx.input("X"), try ctx.output("Out"))
            let communicator = try ringCommunicator(ctx)
            return {
                if out !== x { out.copy(from: x) }
                try run(ctx, communicator, nil) { try communicator.barrier() }
            }
        })

    static let definitions = ReduceOperation.allCases.map(allReduce) + [broadcast, barrier]

    @Sendable static func sameAsInput(_ ctx: inout ShapeContext) throws {
        let x = try ctx.input("X")
        guard elementTypes.contains(x.dtype) else {
            throw FluidError.dtypeMismatch(
                op: ctx.op.type, slot: "X", message: "is \(x.dtype); collectives take float32, float64, int32 or int64")
        }
        ctx.setOutput("Out", x)
    }

    static func ringCommunicator(_ ctx: KernelContext) throws -> any Communicator {
        let ring = try ctx.op.int("ring_id")
        guard let communicator = CommunicatorRings.communicator(ring: ring) else {
            throw ctx.error("ring_id \(ring) has no communicator (only ring 0 exists unless one is registered)")
        }
        return communicator
    }

    /// Runs one collective call, turning its failure into an error that names the op, the rank
    /// and the variable.
    static func run(
        _ ctx: KernelContext, _ communicator: any Communicator, _ variable: String?, _ call: () throws -> Void
    ) throws {
        do {
            try call()
        } catch let error as CommunicatorError {
            let on = variable.map { " on \($0)" } ?? ""
            throw ctx.error("rank \(communicator.rank) of \(communicator.size)\(on): \(error.message)")
        }
    }
}
