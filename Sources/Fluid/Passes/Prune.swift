extension Program {
    /// Keeps only what computing `fetches` from `feeds` needs (block 0), as Paddle's
    /// `Program._prune_with_input`: walking back from the fetches, an op stays when it writes a
    /// variable still needed, and then its inputs are needed. Feed variables are given, so the
    /// ops that write them (a label's preprocessing, say) go. Variables no kept op uses go too,
    /// except the feeds and fetches. `feed` and `fetch` ops stay when they touch kept variables.
    ///
    /// Throws `FluidError.missingVariable` naming a variable a fetch needs that is neither fed,
    /// persistable nor computed by the program.
    ///
    /// ```swift
    /// let inference = main.clone(forTest: true)
    /// try inference.prune(feeds: ["img"], fetches: [prediction.name])   // no label, loss or accuracy
    /// ```
    @discardableResult
    public func prune(feeds: [String], fetches: [String]) throws -> PassReport {
        let block = globalBlock
        let feedSet = Set(feeds)
        var report = PassReport(pass: Prune.passName)
        var needed = Set(fetches).subtracting(feedSet)
        var keep = [Bool](repeating: false, count: block.ops.count)
        for (i, op) in block.ops.enumerated().reversed() where op.type != "feed" && op.type != "fetch" {
            let outputs = Set(op.outputNames)
            guard outputs.isDisjoint(with: feedSet), !outputs.isDisjoint(with: needed) else { continue }
            keep[i] = true
            needed.subtract(outputs)
            needed.formUnion(op.inputNames.filter { isRealName($0) && !feedSet.contains($0) })
        }
        // What is still needed must come from outside the ops: the scope's persistables.
        for name in needed.sorted() where block.findVar(name)?.persistable != true {
            let why =
                block.findVar(name)?.needCheckFeed == true
                ? "it is a data variable the fetches \(fetches) need, but it is not among the feeds \(feeds)"
                : "the fetches \(fetches) need it, but it is not fed, not persistable and no op computes it from the feeds \(feeds)"
            throw FluidError.missingVariable(name: name, context: why)
        }
        var kept = Set<String>(feedSet).union(fetches)
        for (i, op) in block.ops.enumerated() where keep[i] {
            kept.formUnion(op.inputNames)
            kept.formUnion(op.outputNames)
        }
        for (i, op) in block.ops.enumerated() where op.type == "feed" {
            keep[i] = op.output("Out").contains { kept.contains($0) }
        }
        for (i, op) in block.ops.enumerated() where op.type == "fetch" {
            keep[i] = op.input("X").contains { kept.contains($0) }
        }
        let before = block.ops.count
        block.ops = block.ops.indices.filter { keep[$0] }.map { block.ops[$0] }
        report.opsRemoved = before - block.ops.count
        let interface = feedSet.union(fetches)
        report.variablesRemoved = PassSupport.removeUnusedVars(block, program: self) { interface.contains($0.name) }
        return report
    }
}

/// `Program.prune(feeds:fetches:)` as a pass (`"prune"`).
///
/// ```swift
/// try Prune(feeds: ["img"], fetches: ["fc_1.tmp_2"]).apply(to: program, scope: nil)
/// ```
public struct Prune: ProgramPass {
    public static let passName = "prune"
    public var name: String { Self.passName }
    public var feeds: [String]
    public var fetches: [String]

    public init(feeds: [String], fetches: [String]) {
        self.feeds = feeds
        self.fetches = fetches
    }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        try program.prune(feeds: feeds, fetches: fetches)
    }
}
