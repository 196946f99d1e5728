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
            for v in b.vars { nb.addVar(v) }
            nb.ops = b.ops
            p.blocks.append(nb)
        }
        p.randomSeed = randomSeed
        p.names = names
        return p
    }
}
