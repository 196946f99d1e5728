/// Removes the ops of block 0 whose results nobody uses, then the variables no op uses
/// (`"dead_code_elimination"`).
///
/// An op is live when one of its outputs is read by a later live op, is a fetch target (the X
/// of a `fetch` op, or a name in `fetches`), or is persistable (it updates state the scope
/// keeps, like batch_norm's running statistics); `feed` ops always stay, being the program's
/// interface. Removing an op can leave its producers dead, so the sweep repeats until nothing
/// changes. Variables then go unless an op uses them, they are data variables
/// (`needCheckFeed`) or fetch targets.
///
/// ```swift
/// let test = main.clone(forTest: true)
/// let report = try DeadCodeElimination(fetches: [prediction.name]).apply(to: test, scope: nil)
/// // the loss, accuracy and their inputs that the prediction does not need are gone
/// ```
///
/// A program with no fetch ops and no `fetches` has nothing to keep but its persistable
/// updates; the pass then refuses to run rather than empty it.
public struct DeadCodeElimination: ProgramPass {
    public static let passName = "dead_code_elimination"
    public var name: String { Self.passName }
    /// Names the program's users read, besides the X of its `fetch` ops.
    public var fetches: [String]

    public init(fetches: [String] = []) { self.fetches = fetches }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        let block = program.globalBlock
        let targets = PassSupport.fetchTargets(block, fetches)
        guard !targets.isEmpty else {
            throw FluidError.program(
                "Pass '\(name)' needs fetch targets: the program has no fetch ops and none were given, so every result would count as dead."
            )
        }
        var report = PassReport(pass: name)
        report.opsRemoved = Self.removeDeadOps(block, targets: targets)
        report.variablesRemoved = PassSupport.removeUnusedVars(block, program: program) {
            $0.needCheckFeed || targets.contains($0.name)
        }
        return report
    }

    /// Removes dead ops from `block` until none is left; returns how many went.
    static func removeDeadOps(_ block: Block, targets: Set<String>) -> Int {
        let before = block.ops.count
        while true {
            let live = liveness(block, targets: targets)
            if live.allSatisfy({ $0 }) { break }
            block.ops = block.ops.indices.filter { live[$0] }.map { block.ops[$0] }
        }
        return before - block.ops.count
    }

    /// Which ops of `block` are live, by one backward sweep: `needed` holds the names a later
    /// live op reads (or the user fetches); an op's writes satisfy the reads after it, so they
    /// leave `needed` before its own reads join.
    static func liveness(_ block: Block, targets: Set<String>) -> [Bool] {
        var needed = targets
        var live = [Bool](repeating: false, count: block.ops.count)
        for (i, op) in block.ops.enumerated().reversed() {
            let writesState = op.outputNames.contains { block.findVar($0)?.persistable == true }
            guard
                op.type == "feed" || op.type == "fetch" || writesState
                    || op.outputNames.contains(where: needed.contains)
            else { continue }
            live[i] = true
            needed.subtract(op.outputNames)
            needed.formUnion(op.inputNames)
        }
        return live
    }
}
