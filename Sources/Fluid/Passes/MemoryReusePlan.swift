/// Lets the temporaries of an inference program share buffers (`"memory_reuse"`), as Paddle's
/// inference memory optimisation: block 0's temporaries of one dtype whose lifetimes do not
/// overlap are renamed to one shared variable, so they resolve to one tensor.
///
/// A temporary is a non-persistable dense tensor of block 0 that is neither a feed target
/// (a data variable or a `feed` op's Out), nor a fetch target (in `fetches` or a `fetch` op's
/// X), nor used by another block, and that an op writes before any op reads it. Its lifetime
/// is [first write, last use] in op indices, closed at both ends: a variable last read by op i
/// never shares with an output of op i, since kernels may read inputs after writing outputs.
///
/// Sharing storage is sound because the executor resizes each op's outputs to their inferred
/// shapes right before its kernel runs (`ExecutionPlan.run`), `Tensor.resize` keeps the
/// storage when it is large enough, and kernels read their tensors' pointers when they run:
/// the shared tensor grows to its largest member while the plan is compiled and then never
/// reallocates. Variables the program does not fetch can no longer be read by name after a
/// run (`Executor.liveTensor`), as with any memory optimisation.
///
/// ```swift
/// let pass = MemoryReusePlan(batchSize: 64, fetches: [prediction.name])
/// let plan = pass.plan(for: inference)              // inspect without changing anything
/// let report = try pass.apply(to: inference, scope: nil)
/// print(report.bytesSaved == plan.bytesSaved)       // true
/// ```
public struct MemoryReusePlan: ProgramPass {
    public static let passName = "memory_reuse"
    public var name: String { Self.passName }
    /// Replaces unknown (-1) dims when sizes are reported.
    public var batchSize: Int
    /// Names the program's users read, besides the X of its `fetch` ops: never shared.
    public var fetches: [String]

    public init(batchSize: Int = 1, fetches: [String] = []) {
        self.batchSize = batchSize
        self.fetches = fetches
    }

    /// One temporary's lifetime, in op indices of block 0 (both ends included), and size.
    public struct Lifetime: Equatable, Sendable {
        public var name: String
        public var dtype: DataType
        public var first: Int
        public var last: Int
        public var bytes: Int

        public func overlaps(_ other: Lifetime) -> Bool { first <= other.last && other.first <= last }
    }

    /// Temporaries sharing one variable: the buffer is named after its first member.
    public struct Buffer: Equatable, Sendable {
        public var name: String
        public var dtype: DataType
        public var members: [Lifetime]
        /// The largest member's size.
        public var bytes: Int { members.map(\.bytes).max() ?? 0 }
    }

    /// Which temporaries share which buffer, and what that saves.
    public struct Plan: Equatable, Sendable {
        public var buffers: [Buffer]
        /// Each temporary's buffer name (a temporary alone in its buffer maps to itself).
        public var assignment: [String: String] {
            var a: [String: String] = [:]
            for b in buffers { for m in b.members { a[m.name] = b.name } }
            return a
        }
        /// Sum of the temporaries' sizes minus that of the buffers.
        public var bytesSaved: Int {
            buffers.reduce(0) { $0 + $1.members.reduce(0) { $0 + $1.bytes } - $1.bytes }
        }
    }

    /// The lifetimes of block 0's temporaries, in order of first write.
    public func lifetimes(of program: Program) -> [Lifetime] {
        let block = program.globalBlock
        var excluded = PassSupport.fetchTargets(block, fetches)
        for op in block.ops where op.type == "feed" || op.type == "fetch" {
            excluded.formUnion(op.inputNames)
            excluded.formUnion(op.outputNames)
        }
        for b in program.blocks.dropFirst() { for op in b.ops { excluded.formUnion(op.inputNames + op.outputNames) } }
        var first: [String: Int] = [:]
        var last: [String: Int] = [:]
        for (i, op) in block.ops.enumerated() {
            // Read before any write: the value comes from outside the run.
            for name in op.inputNames where first[name] == nil { excluded.insert(name) }
            for name in op.outputNames where first[name] == nil { first[name] = i }
            for name in op.inputNames + op.outputNames { last[name] = i }
        }
        return first.compactMap { name, start -> Lifetime? in
            guard !excluded.contains(name), isRealName(name), let v = block.findVar(name), !v.persistable,
                !v.needCheckFeed,
                v.kind == .lodTensor, v.lodLevel == 0, let end = last[name]
            else { return nil }
            let elements = v.shape.reduce(1) { $0 * ($1 < 0 ? batchSize : $1) }
            return Lifetime(name: name, dtype: v.dtype, first: start, last: end, bytes: elements * v.dtype.size)
        }
        .sorted { ($0.first, $0.name) < ($1.first, $1.name) }
    }

    /// Assigns temporaries to buffers greedily in order of first write: each joins a free
    /// buffer of its dtype (one whose members all ended before it starts), the smallest one
    /// that already fits it, else the largest one, else a new buffer.
    public func plan(for program: Program) -> Plan {
        var buffers: [Buffer] = []
        var ends: [Int] = []
        for t in lifetimes(of: program) {
            let free = buffers.indices.filter { buffers[$0].dtype == t.dtype && ends[$0] < t.first }
            let fitting = free.filter { buffers[$0].bytes >= t.bytes }
            let pick =
                fitting.min { buffers[$0].bytes < buffers[$1].bytes }
                ?? free.max { buffers[$0].bytes < buffers[$1].bytes }
            if let b = pick {
                buffers[b].members.append(t)
                ends[b] = t.last
            } else {
                buffers.append(Buffer(name: t.name, dtype: t.dtype, members: [t]))
                ends.append(t.last)
            }
        }
        return Plan(buffers: buffers)
    }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        let plan = plan(for: program)
        let block = program.globalBlock
        let rename = plan.assignment.filter { $0.key != $0.value }
        var report = PassReport(pass: name)
        report.bytesSaved = plan.bytesSaved
        guard !rename.isEmpty else { return report }
        block.ops = block.ops.map { op in
            var op = op
            for (slot, names) in op.inputs { op.setInput(slot, names.map { rename[$0] ?? $0 }) }
            for (slot, names) in op.outputs { op.setOutput(slot, names.map { rename[$0] ?? $0 }) }
            return op
        }
        let before = block.vars.count
        block.removeVars { rename[$0.name] != nil }
        report.variablesRemoved = before - block.vars.count
        let shared = plan.buffers.filter { $0.members.count > 1 }
        report.notes.append(
            "\(rename.count + shared.count) temporaries share \(shared.count) buffers at batch size \(batchSize).")
        return report
    }
}
