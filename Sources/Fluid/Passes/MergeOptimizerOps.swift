/// Merges each run of consecutive `adam` ops with the same hyper-parameters into one
/// `merged_adam`, each run of `momentum` ops into one `merged_momentum` and each run of `sgd`
/// ops into one `merged_sgd` (`"merge_optimizer_ops"`), as Paddle's `use_multi_tensor`
/// optimizers do: one parallel loop updates every parameter, instead of one loop (and one op)
/// per parameter. `merged_sgd` is SwiftFluid's own, so the pass belongs to programs that are
/// run (`Program.fusedForExecution`), not to programs that are saved.
///
/// A run merges when its ops have the same hyper-parameters (adam: beta1, beta2, epsilon, and
/// no Beta1Tensor, Beta2Tensor or EpsilonTensor; momentum: mu, use_nesterov, rescale_grad; the
/// L2 decay may differ per parameter; sgd: none) and none reads what another writes. The merged op takes
/// the run's place; its LearningRate is the run's one rate variable, or one per parameter when
/// they differ. The updates are the same bits as the separate ops'.
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

    /// Per op type: the merged type, the attributes that must agree within a run, the per-parameter
    /// input and output slots.
    static let kinds: [String: (merged: String, shared: [String], inputs: [String], outputs: [String])] = [
        "adam": (
            "merged_adam", ["beta1", "beta2", "epsilon"], MergedOptimizerOps.perParameter,
            MergedOptimizerOps.outputsPerParameter
        ),
        "momentum": (
            "merged_momentum", ["mu", "use_nesterov", "rescale_grad"], ["Param", "Grad", "Velocity"],
            ["ParamOut", "VelocityOut"]
        ),
        "sgd": ("merged_sgd", [], ["Param", "Grad"], ["ParamOut"]),
    ]

    static func mergeable(_ op: OpDesc) -> Bool {
        kinds[op.type] != nil
            && ["Beta1Tensor", "Beta2Tensor", "EpsilonTensor", "MasterParam", "SkipUpdate"].allSatisfy {
                op.input($0).filter(isRealName).isEmpty
            }
    }

    static func merges(_ op: OpDesc, with first: OpDesc, run: [OpDesc]) -> Bool {
        guard mergeable(op), op.type == first.type, let kind = kinds[op.type] else { return false }
        let (a, b) = (PassSupport.filled(op), PassSupport.filled(first))
        guard kind.shared.allSatisfy({ a.attributes[$0] == b.attributes[$0] }) else { return false }
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

    /// The merged op of `run`, slot by slot in the run's order.
    private func merged(_ run: [OpDesc]) -> OpDesc {
        let kind = Self.kinds[run[0].type]!
        let filled = run.map(PassSupport.filled)
        var inputs: [String: [String]] = [:]
        for slot in kind.inputs { inputs[slot] = run.flatMap { $0.input(slot) } }
        let rates = run.flatMap { $0.input("LearningRate") }
        inputs["LearningRate"] = Set(rates).count == 1 ? [rates[0]] : rates
        var outputs: [String: [String]] = [:]
        for slot in kind.outputs { outputs[slot] = run.flatMap { $0.output(slot) } }
        var attributes: [String: Attribute] = ["multi_precision": .bool(false)]
        for name in kind.shared { attributes[name] = filled[0].attributes[name] }
        if run[0].type == "adam" {
            attributes["use_global_beta_pow"] = .bool(false)
        } else if run[0].type == "momentum" {
            attributes["regularization_method"] = .strings(
                filled.map { (try? $0.string("regularization_method")) ?? "" })
            attributes["regularization_coeff"] = .floats(filled.map { (try? $0.float("regularization_coeff")) ?? 0 })
        }
        var op = OpDesc(type: kind.merged, inputs: inputs, outputs: outputs, attributes: attributes)
        op.role = run[0].role
        return op
    }
}
