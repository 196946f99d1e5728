extension Program {
    /// A copy of the program. With `forTest`, a copy for evaluation: backward, optimizer and
    /// learning-rate ops are dropped by their `op_role` (so cloning after `minimize` is as safe
    /// as before it), `is_test` is set on every op that has it (batch_norm uses its running
    /// statistics, dropout scales instead of masking), and variables no op uses any more are
    /// dropped (data variables are kept).
    ///
    /// ```swift
    /// let test = main.clone(forTest: true)
    /// ```
    public func clone(forTest: Bool = false) -> Program {
        let p = copy()
        guard forTest else { return p }
        let trainingRoles: OpRole = [.backward, .optimize, .lrSched]
        for block in p.blocks {
            block.ops = block.ops.compactMap { op in
                guard op.role.isDisjoint(with: trainingRoles) else { return nil }
                var op = op
                if op.attributes["is_test"] != nil || Self.hasIsTest(op.type) { op.attributes["is_test"] = .bool(true) }
                return op
            }
            let used = Set(block.ops.flatMap { $0.inputNames + $0.outputNames })
            block.removeVars { !used.contains($0.name) && !$0.needCheckFeed }
        }
        return p
    }

    static func hasIsTest(_ type: String) -> Bool {
        (try? OpRegistry.definition(type))?.schema.attributes.contains { $0.name == "is_test" } ?? false
    }
}
