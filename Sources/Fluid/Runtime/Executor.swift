/// Runs programs against scopes. The first run of a (program version, block, scope, feed
/// shapes) compiles a plan: kernels looked up, shapes inferred, variables resolved to tensors,
/// attributes decoded. Later runs with the same key only execute the plan.
///
/// ```swift
/// let exe = Executor(), scope = Scope()
/// try exe.run(startup, scope: scope)
/// let outputs = try exe.run(main, scope: scope, feed: ["img": images, "label": labels], fetch: [loss])
/// print(try outputs.scalar(loss))
/// ```
///
/// Running sets flush-to-zero on the calling thread (subnormal floats become 0), as the
/// kernels' worker threads do.
public final class Executor {
    /// Check every float output of every op for NaN and Inf and stop at the first op that
    /// produces one (like Paddle's FLAGS_check_nan_inf). Slows every step.
    public var checkNaNInf = false
    /// When set, collects the wall time of every op this executor runs.
    public var profiler: OpProfiler?
    /// How many plans this executor has compiled; a run that reuses a plan leaves it unchanged.
    public private(set) var plansCompiled = 0

    private struct PlanKey: Hashable {
        let program: ObjectIdentifier
        let version: Int
        let block: Int
        let scope: ObjectIdentifier
        let feeds: [FeedKey]
    }

    private struct FeedKey: Hashable {
        let name: String
        let dtype: DataType
        let shape: [Int]
    }

    private struct CachedPlan {
        let plan: ExecutionPlan
        // Strong references keep the identifiers in the key from being reused.
        let program: Program
        let scope: Scope
    }

    private var cache: [PlanKey: CachedPlan] = [:]
    private static let cacheLimit = 64
    /// The plans used most recently, matched without building a key: a training loop that
    /// alternates a few programs and batch sizes allocates nothing to find its plan.
    private var recent: [(key: PlanKey, cached: CachedPlan)] = []

    public init() {}

    /// Runs block `block` of `program` once. Feeds are copied into the program's data
    /// variables; fetched tensors are returned as copies, in the order asked. With an empty
    /// `fetch`, the targets of the program's own `fetch` ops are returned.
    @discardableResult
    public func run(
        _ program: Program, block: Int = 0, scope: Scope, feed: [String: Tensor] = [:],
        fetch: [String] = []
    ) throws -> [Tensor] {
        let plan = try plan(for: program, block: block, scope: scope, feed: feed)
        for (name, value) in feed {
            plan.feedTargets[name]?.copy(from: value)
        }
        try plan.run(checkNaNInf: checkNaNInf, profiler: profiler)
        let targets = fetch.isEmpty ? plan.fetchTargets : fetch
        return try targets.map { name in
            guard let t = scope.temporaries[name] else {
                throw FluidError.missingVariable(
                    name: name,
                    context: "it is fetched, but the program does not compute it and the scope does not hold it")
            }
            return t.clone()
        }
    }

    /// The live tensor `name` as the last run of a program over `scope` left it: no copy, so a
    /// training loop can read its loss every step without allocating. It is overwritten by the
    /// next run.
    public func liveTensor(_ name: String, in scope: Scope) -> Tensor? {
        scope.temporaries[name]
    }

    /// The names a program's `feed` ops fill, in column order (empty for programs without them).
    /// Throws `FluidError.program` when the program has no block `block`.
    public func feedTargets(of program: Program, block: Int = 0) throws -> [String] {
        try Self.checkBlock(block, of: program)
        return program.blocks[block].columnTargets(of: "feed")
    }

    /// Throws naming the block index and the program's block count unless block `block` exists.
    static func checkBlock(_ block: Int, of program: Program) throws {
        guard program.blocks.indices.contains(block) else {
            throw FluidError.program("Block \(block) does not exist: the program has \(program.blocks.count) block(s).")
        }
    }

    private func plan(for program: Program, block: Int, scope: Scope, feed: [String: Tensor]) throws -> ExecutionPlan {
        for entry in recent
        where entry.cached.program === program && entry.cached.scope === scope
            && entry.key.version == program.version && entry.key.block == block && entry.cached.plan.accepts(feed)
        {
            return entry.cached.plan
        }
        let feeds = feed.map { FeedKey(name: $0.key, dtype: $0.value.dtype, shape: $0.value.shape) }.sorted {
            $0.name < $1.name
        }
        let key = PlanKey(
            program: ObjectIdentifier(program), version: program.version, block: block,
            scope: ObjectIdentifier(scope), feeds: feeds)
        if let cached = cache[key], cached.plan.externalsUnchanged {
            remember(key, cached)
            return cached.plan
        }
        try Self.checkBlock(block, of: program)
        let plan = try PlanCompiler(program: program, block: program.blocks[block], scope: scope, feed: feed).compile()
        if cache.count >= Self.cacheLimit {
            cache.removeAll()
            recent.removeAll()
        }
        let cached = CachedPlan(plan: plan, program: program, scope: scope)
        cache[key] = cached
        remember(key, cached)
        plansCompiled += 1
        return plan
    }

    private func remember(_ key: PlanKey, _ cached: CachedPlan) {
        recent.removeAll { $0.key == key }
        recent.insert((key, cached), at: 0)
        if recent.count > 4 { recent.removeLast() }
    }
}
