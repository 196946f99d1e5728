/// A transformation of a program, run by `PassManager` or on its own. A pass mutates the
/// program in place (copy it first to keep the original) and must not change what the program
/// computes beyond float rounding.
///
/// Passes that rewrite parameters (the batch_norm fold) read and write them in the scope they
/// are given; the others ignore it.
///
/// ```swift
/// let program = main.clone(forTest: true)
/// let report = try DeadCodeElimination(fetches: [prediction.name]).apply(to: program, scope: scope)
/// print(report)   // dead_code_elimination: 3 ops removed, 5 variables removed
/// ```
public protocol ProgramPass {
    /// The pass's name in `PassManager` lists (`"fc_fuse"`).
    var name: String { get }
    /// Rewrites `program` (block 0), reading and writing parameters in `scope` when it needs them.
    @discardableResult
    func apply(to program: Program, scope: Scope?) throws -> PassReport
}

/// What one pass did to a program.
public struct PassReport: Equatable, Sendable, CustomStringConvertible {
    public var pass: String
    /// Ops taken out of the program (fused ops count here too).
    public var opsRemoved = 0
    /// Ops added to the program (a fused op, a bias add).
    public var opsAdded = 0
    /// Pattern instances rewritten (one conv + batch_norm, one mul + add + relu).
    public var fusions = 0
    /// Variable declarations taken out of the program.
    public var variablesRemoved = 0
    /// Bytes of temporaries a memory plan saves at its batch size.
    public var bytesSaved = 0
    /// Anything else worth telling a user, as sentences.
    public var notes: [String] = []

    public init(pass: String) { self.pass = pass }

    public var description: String {
        var parts: [String] = []
        if fusions > 0 { parts.append("\(fusions) fused") }
        if opsRemoved > 0 { parts.append("\(opsRemoved) ops removed") }
        if opsAdded > 0 { parts.append("\(opsAdded) ops added") }
        if variablesRemoved > 0 { parts.append("\(variablesRemoved) variables removed") }
        if bytesSaved > 0 { parts.append("\(bytesSaved) bytes saved") }
        let summary = parts.isEmpty ? "no change" : parts.joined(separator: ", ")
        return "\(pass): \(summary)" + notes.map { " \($0)" }.joined()
    }
}

/// Graph facts the passes share.
enum PassSupport {
    /// Names a program hands out: the explicit fetches and the X of its `fetch` ops.
    static func fetchTargets(_ block: Block, _ explicit: [String]) -> Set<String> {
        Set(explicit).union(block.ops.filter { $0.type == "fetch" }.flatMap { $0.input("X") })
    }

    /// How many ops of `program` (every block: a sub-block may read a block-0 variable) read each name.
    static func readCounts(_ program: Program) -> [String: Int] {
        var counts: [String: Int] = [:]
        for block in program.blocks {
            for op in block.ops { for name in op.inputNames { counts[name, default: 0] += 1 } }
        }
        return counts
    }

    /// How many ops of `program` write each name.
    static func writeCounts(_ program: Program) -> [String: Int] {
        var counts: [String: Int] = [:]
        for block in program.blocks {
            for op in block.ops { for name in op.outputNames { counts[name, default: 0] += 1 } }
        }
        return counts
    }

    /// Drops the variables of `block` that no op of the program uses and `keep` does not hold;
    /// returns how many went.
    @discardableResult
    static func removeUnusedVars(_ block: Block, program: Program, keep: (VarDesc) -> Bool) -> Int {
        var used = Set<String>()
        for b in program.blocks {
            for op in b.ops {
                used.formUnion(op.inputNames)
                used.formUnion(op.outputNames)
            }
        }
        let before = block.vars.count
        block.removeVars { !used.contains($0.name) && !keep($0) }
        return before - block.vars.count
    }

    /// A variable name not yet declared in `program`, derived from `base` (`base.key_0`, ...).
    static func freshName(_ program: Program, _ base: String, _ key: String) -> String {
        while true {
            let name = program.names.next(base + "." + key)
            if program.blocks.allSatisfy({ !$0.hasLocalVar(name) }) { return name }
        }
    }

    /// `op` with its schema's attribute defaults filled (the op itself when its type is unknown).
    static func filled(_ op: OpDesc) -> OpDesc {
        (try? OpRegistry.definition(op.type))?.schema.fillingDefaults(op) ?? op
    }
}

extension PassSupport {
    /// Drops the declarations among `names` that no op of the program uses any more and that
    /// `protected` does not hold (the variables a rewrite left behind); returns how many went.
    @discardableResult
    static func removeVars(_ names: Set<String>, ifUnusedIn program: Program, protected: Set<String>) -> Int {
        var used = Set<String>()
        for b in program.blocks {
            for op in b.ops {
                used.formUnion(op.inputNames)
                used.formUnion(op.outputNames)
            }
        }
        let block = program.globalBlock
        let before = block.vars.count
        block.removeVars {
            names.contains($0.name) && !used.contains($0.name) && !protected.contains($0.name) && !$0.needCheckFeed
        }
        return before - block.vars.count
    }

    /// Index of the last op before `index` that writes `name`.
    static func producer(of name: String, before index: Int, in block: Block) -> Int? {
        block.ops[..<index].lastIndex { $0.outputNames.contains(name) }
    }
}

extension PassSupport {
    /// Each `coalesce_tensor` FusedOutput of `block` and the variables that are views of it: an
    /// op reading or writing the fused buffer reads or writes all of them.
    static func coalescedViews(_ block: Block) -> [String: [String]] {
        var views: [String: [String]] = [:]
        for op in block.ops where op.type == "coalesce_tensor" {
            for fused in op.output("FusedOutput") { views[fused, default: []] += op.output("Output") }
        }
        return views
    }

    /// `names` with each fused buffer's views added.
    static func throughViews(_ names: [String], _ views: [String: [String]]) -> [String] {
        views.isEmpty ? names : names + names.flatMap { views[$0] ?? [] }
    }
}
