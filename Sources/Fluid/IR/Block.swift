/// An ordered list of ops and the variables they use. Every change bumps the owning
/// program's version, so executors know when a compiled plan is stale.
public final class Block {
    public let index: Int
    public var parentIndex: Int
    public var forwardBlockIndex: Int = -1
    /// Fields of the block a file held that SwiftFluid does not model, written back on save.
    public var retained = RetainedFields()
    unowned let program: Program

    public private(set) var vars: [VarDesc] = [] { didSet { program.bumpVersion() } }
    private var varIndex: [String: Int] = [:]
    public var ops: [OpDesc] = [] { didSet { program.bumpVersion() } }

    init(program: Program, index: Int, parentIndex: Int) {
        self.program = program
        self.index = index
        self.parentIndex = parentIndex
    }

    /// The variable named `name` in this block or, failing that, in its ancestors.
    public func findVar(_ name: String) -> VarDesc? {
        if let i = varIndex[name] { return vars[i] }
        return parentIndex >= 0 ? program.blocks[parentIndex].findVar(name) : nil
    }

    public func hasLocalVar(_ name: String) -> Bool { varIndex[name] != nil }

    /// Declares or replaces a variable.
    @discardableResult
    public func addVar(_ desc: VarDesc) -> VarDesc {
        if let i = varIndex[desc.name] {
            vars[i] = desc
        } else {
            varIndex[desc.name] = vars.count
            vars.append(desc)
        }
        return desc
    }

    /// Edits a declared variable in place.
    public func updateVar(_ name: String, _ change: (inout VarDesc) -> Void) {
        guard let i = varIndex[name] else { return }
        change(&vars[i])
    }

    /// Removes the variables for which `drop` is true.
    public func removeVars(where drop: (VarDesc) -> Bool) {
        vars.removeAll(where: drop)
        varIndex = Dictionary(uniqueKeysWithValues: vars.enumerated().map { ($1.name, $0) })
    }

    @discardableResult
    public func appendOp(_ op: OpDesc) -> OpDesc {
        ops.append(op)
        return op
    }
}
