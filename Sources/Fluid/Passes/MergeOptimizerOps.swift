/// Merges each run of consecutive `adam` ops with the same hyper-parameters into one
/// `merged_adam` (`"merge_optimizer_ops"`), as Paddle's `use_multi_tensor` Adam does: one
/// parallel loop updates every parameter, instead of one loop (and one op) per parameter.
///
/// A run merges when its ops have the same beta1, beta2 and epsilon attributes, take no
/// Beta1Tensor, Beta2Tensor or EpsilonTensor, and none reads what another writes. The merged op
/// takes the run's place; its LearningRate is the run's one rate variable, or one per
/// parameter when they differ. The updates are the same bits as the separate ops'.
///
/// ```swift
/// try Adam(learningRate: 0.001).minimize(loss, startup: startup)
/// let running = main.copy()
/// try MergeOptimizerOps().apply(to: running, scope: nil)   // one merged_adam for all parameters
/// ```
public struct MergeOptimizerOps: ProgramPass {
    public static let passName = "merge_optimizer_ops"
    public var name: String { Self.passName }

    public init() {}

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        var report = PassReport(pass: name)
        let block = program.globalBlock
        var ops: [OpDesc] = []
        var run: [OpDesc] = []
        func flush() {
            if run.count > 1 {
                ops.append(merged(run))
                report.fusions += 1
                report.opsRemoved += run.count
                report.opsAdded += 1
            } else {
                ops += run
            }
            run = []
        }
        for op in block.ops {
            if let first = run.first, !Self.merges(op, with: first, run: run) { flush() }
            if Self.mergeable(op) {
                run.append(op)
            } else {
                flush()
                ops.append(op)
            }
        }
        flush()
        block.ops = ops
        return report
    }

    /// Attributes that must agree within a run.
    static let hyperParameters = ["beta1", "beta2", "epsilon"]

    static func mergeable(_ op: OpDesc) -> Bool {
        op.type == "adam"
            && ["Beta1Tensor", "Beta2Tensor", "EpsilonTensor", "MasterParam", "SkipUpdate"].allSatisfy {
                op.input($0).filter(isRealName).isEmpty
            }
    }

    static func merges(_ op: OpDesc, with first: OpDesc, run: [OpDesc]) -> Bool {
        guard mergeable(op) else { return false }
        let (a, b) = (PassSupport.filled(op), PassSupport.filled(first))
        guard hyperParameters.allSatisfy({ a.attributes[$0] == b.attributes[$0] }) else { return false }
        // No op of the run may read what another writes, or write what another writes.
        let written = Set(run.flatMap(\.outputNames))
        let read = Set(run.flatMap(\.inputNames))
        return written.isDisjoint(with: op.inputNames.filter { !op.outputNames.contains($0) })
            && written.isDisjoint(with: op.outputNames)
            && read.isDisjoint(
                with: op.outputNames.filter {
                    !op.inputNames.contains($0)
                })
    }

    /// The merged_adam of `run`, slot by slot in the run's order.
    private func merged(_ run: [OpDesc]) -> OpDesc {
        var inputs: [String: [String]] = [:]
        for slot in MergedOptimizerOps.perParameter { inputs[slot] = run.flatMap { $0.input(slot) } }
        let rates = run.flatMap { $0.input("LearningRate") }
        inputs["LearningRate"] = Set(rates).count == 1 ? [rates[0]] : rates
        var outputs: [String: [String]] = [:]
        for slot in MergedOptimizerOps.outputsPerParameter { outputs[slot] = run.flatMap { $0.output(slot) } }
        let first = PassSupport.filled(run[0])
        var op = OpDesc(
            type: "merged_adam", inputs: inputs, outputs: outputs,
            attributes: [
                "beta1": first.attributes["beta1"] ?? .float(0.9), "beta2": first.attributes["beta2"] ?? .float(0.999),
                "epsilon": first.attributes["epsilon"] ?? .float(1e-8), "multi_precision": .bool(false),
                "use_global_beta_pow": .bool(false),
            ])
        op.role = run[0].role
        return op
    }
}
