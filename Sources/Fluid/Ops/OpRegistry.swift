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
        FusedConvOps.definitions,
        PoolOps.definitions,
        BatchNormOps.definitions,
        DropoutOps.definitions,
        LossOps.definitions,
        SoftmaxWithCrossEntropyOps.definitions,
        ReduceOps.definitions,
        MetricOps.definitions,
        ShapeOps.definitions,
        MiscOps.definitions,
        OptimizerOps.definitions,
        MergedOptimizerOps.definitions,
        ClipOps.definitions,
        UnaryMathOps.definitions,
        ScheduleOps.definitions,
        FCOps.definitions,
        CollectiveOps.definitions,
        CoalesceTensorOps.definitions,
    ]

    /// The definitions by type, or the error of a type defined twice (which every lookup reports).
    static let table: Result<[String: OpDefinition], FluidError> = Result { try makeTable(families) }
        .mapError { $0 as? FluidError ?? .program("\($0)") }

    /// `families` keyed by op type; throws naming any type that two definitions claim.
    static func makeTable(_ families: [[OpDefinition]]) throws -> [String: OpDefinition] {
        var t: [String: OpDefinition] = [:]
        for d in families.joined() {
            guard t[d.type] == nil else {
                throw FluidError.program("Op type '\(d.type)' is registered twice: each op type has one definition.")
            }
            t[d.type] = d
        }
        return t
    }

    /// The definition of `type`, or an error naming the unsupported op.
    public static func definition(_ type: String) throws -> OpDefinition {
        guard let d = try table.get()[type] else { throw FluidError.unknownOp(type) }
        return d
    }

    public static func contains(_ type: String) -> Bool { (try? table.get())?[type] != nil }

    /// All definitions, sorted by type.
    public static var all: [OpDefinition] { ((try? table.get()) ?? [:]).values.sorted { $0.type < $1.type } }

    /// Infers the output metas of `op` from `lookup`, with schema defaults filled.
    public static func inferShape(of op: OpDesc, lookup: @escaping (String) -> TensorMeta?) throws -> [(
        name: String, meta: TensorMeta
    )] {
        let d = try definition(op.type)
        var ctx = ShapeContext(op: try d.schema.bind(op), lookup: lookup)
        try d.inferShape(&ctx)
        return ctx.results
    }
}
