/// Every op SwiftFluid can run, keyed by Paddle op type.
public enum OpRegistry {
    /// The op families; each file under Ops/ contributes one list.
    static let families: [[OpDefinition]] = [
        FeedFetchOps.definitions,
        FillOps.definitions,
        RandomOps.definitions,
        MatMulOps.definitions,
        ElementwiseOps.definitions,
        ActivationOps.definitions,
        SoftmaxOps.definitions,
        ConvOps.definitions,
        PoolOps.definitions,
        BatchNormOps.definitions,
        DropoutOps.definitions,
        LossOps.definitions,
        ReduceOps.definitions,
        MetricOps.definitions,
        ShapeOps.definitions,
        MiscOps.definitions,
        OptimizerOps.definitions,
        ClipOps.definitions,
        UnaryMathOps.definitions,
        ScheduleOps.definitions,
        FCOps.definitions,
    ]

    static let table: [String: OpDefinition] = {
        var t: [String: OpDefinition] = [:]
        for d in families.joined() { t[d.type] = d }
        return t
    }()

    /// The definition of `type`, or an error naming the unsupported op.
    public static func definition(_ type: String) throws -> OpDefinition {
        guard let d = table[type] else { throw FluidError.unknownOp(type) }
        return d
    }

    public static func contains(_ type: String) -> Bool { table[type] != nil }

    /// All definitions, sorted by type.
    public static var all: [OpDefinition] { table.values.sorted { $0.type < $1.type } }

    /// Infers the output metas of `op` from `lookup`, with schema defaults filled.
    public static func inferShape(of op: OpDesc, lookup: @escaping (String) -> TensorMeta?) throws -> [(
        name: String, meta: TensorMeta
    )] {
        let d = try definition(op.type)
        var ctx = ShapeContext(op: d.schema.fillingDefaults(op), lookup: lookup)
        try d.inferShape(&ctx)
        return ctx.results
    }
}
