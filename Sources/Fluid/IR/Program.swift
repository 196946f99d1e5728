/// A static program: blocks of ops and variables, built first and run later.
///
/// ```swift
/// let main = Program(), startup = Program()
/// let net = ProgramBuilder(main: main, startup: startup)
/// let x = net.data("x", shape: [-1, 4])
/// let y = net.fc(x, size: 2, act: .softmax)
/// print(main)   // one op a line, with shapes
/// ```
public final class Program {
    public private(set) var blocks: [Block] = []
    /// Seed for random ops whose own `seed` attribute is 0. 0 means nondeterministic.
    public var randomSeed: Int = 0 { didSet { bumpVersion() } }
    /// Incremented on every change to the program; plans compiled for an older version are stale.
    public private(set) var version: Int = 0
    /// Unique names of this program's variables (`fc_0`, `fc_0.w_0`, `fc_0.tmp_0`).
    public var names = UniqueNameGenerator()
    /// The Paddle version a file claims compatibility with (major*1000000 + minor*1000 + patch);
    /// nil for a program that did not come from a file.
    public var compatibleVersion: Int64?
    /// The version of each op's definition the program was written with (Paddle's
    /// `op_version_map`), in file order.
    public var opVersions: [OpVersion] = []
    /// Fields of the program a file held that SwiftFluid does not model, written back on save.
    public var retained = RetainedFields()

    public init() {
        blocks = [Block(program: self, index: 0, parentIndex: -1)]
    }

    public var globalBlock: Block { blocks[0] }

    @discardableResult
    public func appendBlock(parent: Int) -> Block {
        let b = Block(program: self, index: blocks.count, parentIndex: parent)
        blocks.append(b)
        bumpVersion()
        return b
    }

    func bumpVersion() { version &+= 1 }

    /// A deep copy: same blocks, variables, ops, seed and name counters.
    public func copy() -> Program {
        let p = Program()
        p.blocks = []
        for b in blocks {
            let nb = Block(program: p, index: b.index, parentIndex: b.parentIndex)
            nb.forwardBlockIndex = b.forwardBlockIndex
            nb.retained = b.retained
            for v in b.vars { nb.addVar(v) }
            nb.ops = b.ops
            p.blocks.append(nb)
        }
        p.randomSeed = randomSeed
        p.names = names
        p.compatibleVersion = compatibleVersion
        p.opVersions = opVersions
        p.retained = retained
        return p
    }

    /// Replaces every block by `blocks` (as decoded from a file); indices must be 0, 1, ...
    func setBlocks(_ make: (Program) throws -> [Block]) rethrows {
        blocks = try make(self)
        bumpVersion()
    }
}

/// One entry of a program's `op_version_map`.
public struct OpVersion: Equatable, Sendable {
    public var op: String
    public var version: Int32

    public init(op: String, version: Int32) {
        self.op = op
        self.version = version
    }
}
