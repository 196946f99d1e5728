/// Compiles one block for one scope and set of feeds into an `ExecutionPlan`.
struct PlanCompiler {
    let program: Program
    let block: Block
    let scope: Scope
    let feed: [String: Tensor]

    func compile() throws -> ExecutionPlan {
        var metas: [String: TensorMeta] = [:]
        for (name, t) in feed {
            try checkFeed(name, t)
            metas[name] = TensorMeta(t.dtype, t.shape)
        }
        let work = scope.temporaries
        // Fed tensors take their shapes now, so kernel factories see real inputs.
        for (name, t) in feed { resolve(name).resize(unchecked: t.shape, dtype: t.dtype) }
        // Metas inferred so far in this plan, else the tensors the scope already holds (parameters).
        let lookup: (String) -> TensorMeta? = { name in
            if let m = metas[name] { return m }
            return work[name].map { TensorMeta($0.dtype, $0.shape) }
        }
        var steps: [ExecutionPlan.Step] = []
        var external: [String: (tensor: Tensor, meta: TensorMeta)] = [:]
        for (index, op) in block.ops.enumerated() {
            if op.type == "feed" || op.type == "fetch" { continue }
            try checkInputsAvailable(op, computed: metas)
            for name in op.inputNames where metas[name] == nil && external[name] == nil {
                if let t = work[name] { external[name] = (t, TensorMeta(t.dtype, t.shape)) }
            }
            let definition = try OpRegistry.definition(op.type)
            let full = try definition.schema.bind(op)
            var ctx = ShapeContext(op: full, lookup: lookup)
            try definition.inferShape(&ctx)
            var outputs: [(name: String, tensor: Tensor, meta: TensorMeta)] = []
            for (name, meta) in ctx.results {
                guard meta.shape.allSatisfy({ $0 >= 0 }) else {
                    throw FluidError.shapeMismatch(
                        op: op.type, slot: name,
                        message: "output shape \(meta.shape) is not fully known when the plan runs")
                }
                metas[name] = meta
                let t = resolve(name)
                t.resize(unchecked: meta.shape, dtype: meta.dtype)
                outputs.append((name, t, meta))
            }
            let kernel = try definition.makeKernel(
                KernelContext(op: full, seed: seed(for: full, index: index), resolve: resolver))
            steps.append(ExecutionPlan.Step(type: op.type, kernel: kernel, outputs: outputs))
        }
        var feedTargets: [String: Tensor] = [:]
        for name in feed.keys { feedTargets[name] = resolve(name) }
        return ExecutionPlan(
            steps: steps, feedTargets: feedTargets, feedMetas: feed.mapValues { TensorMeta($0.dtype, $0.shape) },
            external: Array(external.values),
            fetchTargets: block.columnTargets(of: "fetch"))
    }

    /// Persistable variables live in the scope given to the executor, the rest in its
    /// temporaries child; a name already held by an ancestor resolves there.
    private func resolve(_ name: String) -> Tensor { resolver(name) }

    /// `resolve` as a closure that holds the block and scope only (kernels may keep it; it must
    /// not keep the feeds alive).
    private var resolver: (String) -> Tensor {
        { [block, scope] name in
            if let v = block.findVar(name), v.persistable { return scope.tensor(name) }
            return scope.temporaries.tensor(name)
        }
    }

    private func checkFeed(_ name: String, _ t: Tensor) throws {
        guard let v = block.findVar(name) else {
            throw FluidError.badFeed(name: name, message: "the program has no variable of this name")
        }
        let expected = "\(v.dtype)\(v.shape)"
        let got = "\(t.dtype)\(t.shape)"
        guard v.dtype == t.dtype else {
            throw FluidError.badFeed(
                name: name, message: "expected dtype \(v.dtype) (\(expected)), got \(t.dtype) (\(got))")
        }
        guard v.shape.isEmpty || v.shape.count == t.shape.count else {
            throw FluidError.badFeed(
                name: name, message: "expected rank \(v.shape.count) (\(expected)), got rank \(t.shape.count) (\(got))")
        }
        for (d, (want, have)) in zip(v.shape, t.shape).enumerated() where want >= 0 && want != have {
            throw FluidError.badFeed(
                name: name, message: "expected shape \(expected), got \(got) (dimension \(d) differs)")
        }
    }

    /// A data variable the op reads but nobody fed would silently hold an old batch; a
    /// persistable nobody initialised means the startup program has not run.
    private func checkInputsAvailable(_ op: OpDesc, computed: [String: TensorMeta]) throws {
        for name in op.inputNames where feed[name] == nil && computed[name] == nil {
            guard let v = block.findVar(name) else { continue }
            if v.needCheckFeed {
                throw FluidError.badFeed(
                    name: name, message: "op '\(op.type)' reads this data variable, but no tensor was fed for it")
            }
            if v.persistable && scope.temporaries[name] == nil {
                throw FluidError.missingVariable(
                    name: name,
                    context:
                        "op '\(op.type)' reads this persistable variable, but the scope holds no value for it: run the startup program (or load the parameters) first"
                )
            }
        }
    }

    /// The op's `seed` attribute when non-zero; else one derived from the program's
    /// `random_seed` and the op's position; else fresh randomness.
    private func seed(for op: OpDesc, index: Int) -> UInt64 {
        if let s = op.attributes["seed"]?.intValue, s != 0 { return UInt64(truncatingIfNeeded: s) }
        if program.randomSeed != 0 {
            return SeededGenerator.splitMix64(
                UInt64(truncatingIfNeeded: program.randomSeed) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        }
        return UInt64.random(in: 1...UInt64.max)
    }
}
