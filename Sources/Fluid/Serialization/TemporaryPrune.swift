// Placeholder until Passes/Prune.swift lands: forward ops needed for `fetches`, in order.
func pruneForInference(_ program: Program, feeds: [String], fetches: [String]) throws {
    let block = program.globalBlock
    let training: OpRole = [.backward, .optimize, .lrSched]
    var needed = Set(fetches)
    let feedSet = Set(feeds)
    var kept: [OpDesc] = []
    for op in block.ops.reversed() where op.role.isDisjoint(with: training) && op.type != "feed" && op.type != "fetch" {
        guard op.outputNames.contains(where: { needed.contains($0) && !feedSet.contains($0) }) else { continue }
        kept.append(op)
        for n in op.inputNames where !feedSet.contains(n) { needed.insert(n) }
    }
    block.ops = kept.reversed()
    let used = Set(block.ops.flatMap { $0.inputNames + $0.outputNames }).union(feedSet)
    block.removeVars { !used.contains($0.name) }
}
