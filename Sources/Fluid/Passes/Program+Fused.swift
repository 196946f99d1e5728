extension Program {
    /// A copy of this program with the fusions that keep training exact (to float rounding)
    /// applied, for the executor to run in its place: `ConvBiasActivationFuse` and
    /// `MergeOptimizerOps`.
    /// Variable names, feeds and fetches stay as they were, so the same scope serves both; keep
    /// the original for saving, since Paddle trains and serves with the unfused ops.
    ///
    /// ```swift
    /// let running = try main.fusedForExecution(fetches: [loss.name, accuracy.name])
    /// try executor.run(running, scope: scope, feed: feed)   // main's parameters, updated
    /// ```
    public func fusedForExecution(fetches: [String] = []) throws -> Program {
        let running = copy()
        try ConvBiasActivationFuse(fetches: fetches).apply(to: running, scope: nil)
        try MergeOptimizerOps().apply(to: running, scope: nil)
        return running
    }
}
