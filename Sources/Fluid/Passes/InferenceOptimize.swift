/// Turns a training program into an inference one (`"inference_optimize"`), in block 0:
/// - drops the ops whose `op_role` has a Backward, Optimize or LRSched bit (so it is safe
///   after `minimize`);
/// - sets `is_test = true` on every op whose schema has the attribute (batch_norm then uses its
///   running statistics, dropout scales instead of masking);
/// - drops the training-only forward ops that are left: those whose results neither reach a
///   fetch target nor update a persistable (the loss, the accuracy, the label's reads), as
///   `DeadCodeElimination` does. Without fetch targets (no `fetch` ops, no `fetches`) this step
///   is skipped and the report says so;
/// - drops the variables no op uses any more (data variables and fetch targets stay).
///
/// ```swift
/// try Adam(learningRate: 0.001).minimize(loss, startup: startup)
/// let inference = main.copy()
/// try InferenceOptimize(fetches: [prediction.name]).apply(to: inference, scope: nil)
/// ```
public struct InferenceOptimize: ProgramPass {
    public static let passName = "inference_optimize"
    public var name: String { Self.passName }
    /// Names the program's users read, besides the X of its `fetch` ops.
    public var fetches: [String]

    public init(fetches: [String] = []) { self.fetches = fetches }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        let block = program.globalBlock
        var report = PassReport(pass: name)
        let before = block.ops.count
        let training: OpRole = [.backward, .optimize, .lrSched]
        block.ops = block.ops.compactMap { op in
            guard op.role.isDisjoint(with: training) else { return nil }
            guard op.attributes["is_test"] != nil || Program.hasIsTest(op.type) else { return op }
            var op = op
            op.attributes["is_test"] = .bool(true)
            return op
        }
        let targets = PassSupport.fetchTargets(block, fetches)
        if targets.isEmpty {
            report.notes.append("No fetch targets were given, so forward ops whose results go unused were kept.")
        } else {
            _ = DeadCodeElimination.removeDeadOps(block, targets: targets)
        }
        report.opsRemoved = before - block.ops.count
        report.variablesRemoved = PassSupport.removeUnusedVars(block, program: program) {
            $0.needCheckFeed || targets.contains($0.name)
        }
        return report
    }
}

extension Program {
    /// Applies `InferenceOptimize(fetches:)` to this program in place.
    ///
    /// ```swift
    /// try program.inferenceOptimize(fetches: [prediction.name])
    /// ```
    @discardableResult
    public func inferenceOptimize(fetches: [String] = []) throws -> PassReport {
        try InferenceOptimize(fetches: fetches).apply(to: self, scope: nil)
    }
}
