/// Paddle's collective ops, what a data-parallel program exchanges between its ranks with:
///
/// - `c_allreduce_sum` (and `_max`, `_min`, `_prod`): X -> Out, the element-wise reduction of
///   X over every rank of the ring, on every rank. Out is X in Paddle's data-parallel programs
///   (in place); another Out receives the result and X is left alone.
/// - `c_broadcast`: X -> Out, rank `root`'s X on every rank (in place in Paddle's startup
///   programs, where it makes every rank start from rank 0's parameters).
/// - `barrier`: X -> Out (X copied), returning when every rank of the ring has reached it.
///
/// Paddle 3's collective transpiler writes the same ops under new names, which run here too:
/// `all_reduce` (x -> out, `reduce_type` 0 sum, 1 max, 2 min, 3 prod) and `broadcast` (x -> out,
/// `root`); and `c_sync_calc_stream`, `c_sync_comm_stream` (X -> Out), which order GPU streams
/// and are identities on the CPU.
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
            inferShape: sameAsInput("X", "Out"),
            kernel: { ctx in try allReduceKernel(ctx, operation, x: "X", out: "Out") })
    }

    /// Paddle 3's `all_reduce`, the reduction chosen by `reduce_type`.
    static let paddle3AllReduce = OpDefinition(
        OpSchema(
            "all_reduce", inputs: [SlotSpec("x")], outputs: [SlotSpec("out")],
            attributes: [AttributeSpec("ring_id", .int(0)), AttributeSpec("reduce_type", .int(0))]),
        inferShape: sameAsInput("x", "out"),
        kernel: { ctx in
            let code = try ctx.op.int("reduce_type")
            let operations: [ReduceOperation] = [.sum, .max, .min, .prod]
            guard operations.indices.contains(code) else {
                throw FluidError.attribute(
                    op: ctx.op.type, name: "reduce_type",
                    message: "is \(code); 0 (sum), 1 (max), 2 (min) and 3 (prod) are implemented")
            }
            return try allReduceKernel(ctx, operations[code], x: "x", out: "out")
        })

    static func allReduceKernel(_ ctx: KernelContext, _ operation: ReduceOperation, x: String, out: String) throws
        -> Kernel
    {
        let (x, out, variable) = (try ctx.input(x), try ctx.output(out), ctx.op.input(x).first ?? x)
        let communicator = try ringCommunicator(ctx)
        return {
            if out !== x { out.copy(from: x) }
            try run(ctx, communicator, variable) {
                try communicator.allReduce(out.rawPointer, count: out.count, dtype: out.dtype, operation: operation)
            }
        }
    }

    static let broadcast = OpDefinition(
        OpSchema(
            "c_broadcast", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("ring_id", .int(0)), AttributeSpec("root", .int(0)),
                AttributeSpec("use_calc_stream", .bool(false)),
            ]),
        inferShape: sameAsInput("X", "Out"),
        kernel: { ctx in try broadcastKernel(ctx, x: "X", out: "Out") })

    /// Paddle 3's `broadcast`.
    static let paddle3Broadcast = OpDefinition(
        OpSchema(
            "broadcast", inputs: [SlotSpec("x")], outputs: [SlotSpec("out")],
            attributes: [AttributeSpec("ring_id", .int(0)), AttributeSpec("root", .int(0))]),
        inferShape: sameAsInput("x", "out"),
        kernel: { ctx in try broadcastKernel(ctx, x: "x", out: "out") })

    static func broadcastKernel(_ ctx: KernelContext, x: String, out: String) throws -> Kernel {
        let (x, out, variable) = (try ctx.input(x), try ctx.output(out), ctx.op.input(x).first ?? x)
        let communicator = try ringCommunicator(ctx)
        let root = try ctx.op.int("root")
        guard (0..<communicator.size).contains(root) else {
            throw ctx.error(
                "root \(root) is not a rank of ring \(try ctx.op.int("ring_id")) (size \(communicator.size))")
        }
        return {
            if out !== x { out.copy(from: x) }
            try run(ctx, communicator, variable) {
                try communicator.broadcast(out.rawPointer, byteCount: out.byteCount, root: root)
            }
        }
    }

    /// `c_sync_calc_stream` and `c_sync_comm_stream`: GPU stream order, nothing on the CPU
    /// (each Out that is not its X receives a copy).
    static func streamSync(_ type: String, attributes: [AttributeSpec]) -> OpDefinition {
        OpDefinition(
            OpSchema(type, inputs: [.many("X")], outputs: [.many("Out")], attributes: attributes),
            inferShape: { ctx in
                guard ctx.op.input("X").count == ctx.op.output("Out").count else {
                    throw ctx.error(
                        "Out", "holds \(ctx.op.output("Out").count) variables, but X holds \(ctx.op.input("X").count)")
                }
                for (i, meta) in try ctx.inputs("X").enumerated() { ctx.setOutput("Out", meta, at: i) }
            },
            kernel: { ctx in
                let pairs = try ctx.inputs("X").enumerated().map { ($1, try ctx.output("Out", at: $0)) }
                    .filter { $0.0 !== $0.1 }
                return { for (x, out) in pairs { out.copy(from: x) } }
            })
    }

    static let barrier = OpDefinition(
        OpSchema(
            "barrier", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [AttributeSpec("ring_id", .int(0))]),
        inferShape: sameAsInput("X", "Out"),
        kernel: { ctx in
            let (x, out) = (try ctx.input("X"), try ctx.output("Out"))
            let communicator = try ringCommunicator(ctx)
            return {
                if out !== x { out.copy(from: x) }
                try run(ctx, communicator, nil) { try communicator.barrier() }
            }
        })

    static let definitions =
        ReduceOperation.allCases.map(allReduce) + [
            broadcast, barrier, paddle3AllReduce, paddle3Broadcast,
            streamSync("c_sync_calc_stream", attributes: []),
            streamSync("c_sync_comm_stream", attributes: [AttributeSpec("ring_id", .int(0))]),
        ]

    static func sameAsInput(_ x: String, _ out: String) -> @Sendable (inout ShapeContext) throws -> Void {
        { ctx in
            let meta = try ctx.input(x)
            guard elementTypes.contains(meta.dtype) else {
                throw FluidError.dtypeMismatch(
                    op: ctx.op.type, slot: x,
                    message: "is \(meta.dtype); collectives take float32, float64, int32 or int64")
            }
            ctx.setOutput(out, meta)
        }
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
