/// Runs a list of passes, named as Paddle's pass builder names them, over a program and the
/// scope holding its parameters.
///
/// Passes that need the program's interface (prune, dead-code elimination, ...) get `feeds`
/// and `fetches`; without `fetches`, the X of the program's `fetch` ops are used, and without
/// `feeds`, the Out of its `feed` ops (a loaded inference model has both).
///
/// ```swift
/// let inference = main.copy()
/// let manager = try PassManager(PassManager.inferencePasses, feeds: ["img"], fetches: [prediction.name], batchSize: 64)
/// let reports = try manager.run(on: inference, scope: scope) { pass, program in print(pass, program) }
/// for r in reports { print(r) }   // conv_bn_fold: 1 fused, 2 ops removed, 1 ops added, ...
/// ```
public struct PassManager {
    /// The standard inference pipeline, in order.
    public static let inferencePasses = [
        Prune.passName, InferenceOptimize.passName, ConvBatchNormFold.passName, FCFuse.passName,
        DeadCodeElimination.passName, MemoryReusePlan.passName,
    ]

    /// The inference pipeline for a program that is run, not saved: the conv + bias + relu
    /// fusion too (before the memory plan, which shares names between temporaries).
    public static let executionPasses =
        inferencePasses.filter { $0 != MemoryReusePlan.passName } + [
            ConvBiasActivationFuse.passName, MemoryReusePlan.passName,
        ]

    /// Every pass name the manager knows. `conv_bias_activation_fuse` is not in the inference
    /// pipeline, whose result may be saved for Paddle: Paddle's CPU predictor runs
    /// `fused_conv2d` only with oneDNN.
    public static let knownPasses = inferencePasses + [ConvBiasActivationFuse.passName, MergeOptimizerOps.passName]

    public let passNames: [String]
    public var feeds: [String]
    public var fetches: [String]
    /// Batch size the memory plan reports its savings for.
    public var batchSize: Int

    /// Throws naming the first unknown pass and listing the known ones.
    public init(_ passes: [String], feeds: [String] = [], fetches: [String] = [], batchSize: Int = 1) throws {
        for p in passes where !Self.knownPasses.contains(p) {
            throw FluidError.program(
                "Unknown pass '\(p)': the known passes are \(Self.knownPasses.joined(separator: ", ")).")
        }
        passNames = passes
        self.feeds = feeds
        self.fetches = fetches
        self.batchSize = batchSize
    }

    /// Runs the passes in order on `program` (in place), calling `afterEach` with each pass's
    /// name and the program it left; returns one report per pass.
    @discardableResult
    public func run(
        on program: Program, scope: Scope?,
        afterEach: ((String, Program) throws -> Void)? = nil
    ) throws -> [PassReport] {
        let block = program.globalBlock
        let feeds = self.feeds.isEmpty ? block.columnTargets(of: "feed") : self.feeds
        let fetches = self.fetches.isEmpty ? block.columnTargets(of: "fetch") : self.fetches
        var reports: [PassReport] = []
        for name in passNames {
            let pass = try Self.pass(named: name, feeds: feeds, fetches: fetches, batchSize: batchSize)
            reports.append(try pass.apply(to: program, scope: scope))
            try afterEach?(name, program)
        }
        return reports
    }

    /// The pass called `name`, configured with the program's interface.
    public static func pass(named name: String, feeds: [String], fetches: [String], batchSize: Int = 1) throws
        -> any ProgramPass
    {
        switch name {
        case Prune.passName: return Prune(feeds: feeds, fetches: fetches)
        case InferenceOptimize.passName: return InferenceOptimize(fetches: fetches)
        case ConvBatchNormFold.passName: return ConvBatchNormFold(fetches: fetches)
        case FCFuse.passName: return FCFuse(fetches: fetches)
        case DeadCodeElimination.passName: return DeadCodeElimination(fetches: fetches)
        case MemoryReusePlan.passName: return MemoryReusePlan(batchSize: batchSize, fetches: fetches)
        case ConvBiasActivationFuse.passName: return ConvBiasActivationFuse(fetches: fetches)
        case MergeOptimizerOps.passName: return MergeOptimizerOps()
        default:
            throw FluidError.program(
                "Unknown pass '\(name)': the known passes are \(knownPasses.joined(separator: ", ")).")
        }
    }
}
