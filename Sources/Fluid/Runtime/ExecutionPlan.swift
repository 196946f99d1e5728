/// A block compiled for one scope and one set of feed shapes: every op's kernel bound to its
/// tensors, every output's shape inferred. Running it is a loop over bound kernels.
final class ExecutionPlan {
    struct Step {
        let type: String
        let kernel: Kernel
        /// Outputs and their inferred shapes, reapplied before the kernel runs (another plan
        /// over the same scope may have resized them; resizing to a known size never allocates).
        let outputs: [(name: String, tensor: Tensor, meta: TensorMeta)]
    }

    let steps: [Step]
    /// Feed targets: variable name to its tensor.
    let feedTargets: [String: Tensor]
    /// Fetch op columns found in the program (`fetch` ops), in column order.
    let fetchTargets: [String]
    /// Dtypes and shapes of the feeds the plan was compiled for.
    let feedMetas: [String: TensorMeta]
    /// Tensors the plan reads but neither feeds nor computes (parameters), as they were when it
    /// was compiled: if one changes shape, the plan no longer fits it.
    let external: [(tensor: Tensor, meta: TensorMeta)]

    init(
        steps: [Step], feedTargets: [String: Tensor], feedMetas: [String: TensorMeta],
        external: [(tensor: Tensor, meta: TensorMeta)], fetchTargets: [String]
    ) {
        self.steps = steps
        self.feedTargets = feedTargets
        self.feedMetas = feedMetas
        self.external = external
        self.fetchTargets = fetchTargets
    }

    /// Whether `feed` has exactly the names, dtypes and shapes this plan was compiled for.
    func accepts(_ feed: [String: Tensor]) -> Bool {
        guard feed.count == feedTargets.count else { return false }
        for (name, value) in feed {
            guard let meta = feedMetas[name], meta.dtype == value.dtype, meta.shape == value.shape else { return false }
        }
        return externalsUnchanged
    }

    /// Whether every tensor the plan reads from the scope still has the shape it was compiled for.
    var externalsUnchanged: Bool {
        external.allSatisfy { $0.tensor.shape == $0.meta.shape && $0.tensor.dtype == $0.meta.dtype }
    }

    func run(checkNaNInf: Bool, profiler: OpProfiler?) throws {
        ProcessSetup.flushDenormals()
        for step in steps {
            for o in step.outputs where o.tensor.shape != o.meta.shape || o.tensor.dtype != o.meta.dtype {
                o.tensor.resize(unchecked: o.meta.shape, dtype: o.meta.dtype)
            }
            if let profiler {
                let start = OpProfiler.now()
                try step.kernel()
                profiler.record(step.type, nanoseconds: OpProfiler.now() - start)
            } else {
                try step.kernel()
            }
            if checkNaNInf { try Self.checkFinite(step) }
        }
    }

    private static func checkFinite(_ step: Step) throws {
        for o in step.outputs where o.tensor.dtype == .float32 {
            let p = o.tensor.floats
            for i in 0..<o.tensor.count where !p[i].isFinite {
                throw FluidError.nanOrInf(op: step.type, variable: o.name, index: i)
            }
        }
    }
}
