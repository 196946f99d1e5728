/// Fuses `mul` + `elementwise_add` (+ `relu`) into Paddle's inference `fc` op (`"fc_fuse"`),
/// as Paddle's `fc_fuse_pass`: what `ProgramBuilder.fc` emits becomes one op, one GEMM and one
/// pass over the output.
///
/// The pattern fuses only when `fc` computes exactly the same thing:
/// - the mul's `y_num_col_dims` is 1 and its Y is a 2-D persistable [K, N] no op writes;
/// - the add's X is the mul's output and its Y a persistable bias [N] (axis -1 or
///   `x_num_col_dims`) or [1, N] (axis -1), so the bias runs along the last axis;
/// - the mul's output, and the add's when a relu follows, are read by no other op and are
///   no fetch targets; the input is not rewritten between the fused ops.
///
/// The fc op takes the place of the last fused op and keeps its output name, with
/// `in_num_col_dims` = the mul's `x_num_col_dims`, `activation_type` "relu" or "", and
/// `padding_weights` false.
///
/// ```swift
/// let inference = main.clone(forTest: true)
/// let report = try FCFuse().apply(to: inference, scope: nil)
/// print(report.fusions)   // one per fc layer with a bias
/// ```
public struct FCFuse: ProgramPass {
    public static let passName = "fc_fuse"
    public var name: String { Self.passName }
    /// Names the program's users read, besides the X of its `fetch` ops: never fused away.
    public var fetches: [String]

    public init(fetches: [String] = []) { self.fetches = fetches }

    /// One fusable chain in block 0, by op index, and the fc op that replaces it.
    struct Match {
        var mul: Int
        var add: Int
        var relu: Int?
        var fc: OpDesc
    }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        var report = PassReport(pass: name)
        let block = program.globalBlock
        let protected = PassSupport.fetchTargets(block, fetches)
        var leftovers = Set<String>()
        while let match = findMatch(program, protected: protected) {
            let fused = [match.mul, match.add] + (match.relu.map { [$0] } ?? [])
            for i in fused { leftovers.formUnion(block.ops[i].outputNames) }
            var ops = block.ops
            ops[fused[fused.count - 1]] = match.fc
            for i in fused.dropLast().reversed() { ops.remove(at: i) }
            block.ops = ops
            report.fusions += 1
            report.opsRemoved += fused.count
            report.opsAdded += 1
        }
        report.variablesRemoved = PassSupport.removeVars(leftovers, ifUnusedIn: program, protected: protected)
        return report
    }

    /// The first fusable chain in block 0, or nil.
    func findMatch(_ program: Program, protected: Set<String>) -> Match? {
        let block = program.globalBlock
        let reads = PassSupport.readCounts(program)
        let writes = PassSupport.writeCounts(program)
        func declared(_ name: String) -> VarDesc? { block.findVar(name) }
        func parameter(_ name: String) -> Bool { declared(name)?.persistable == true && writes[name, default: 0] == 0 }
        func privateTemporary(_ name: String) -> Bool {
            !protected.contains(name) && declared(name)?.persistable != true
                && reads[name, default: 0] == 1 && writes[name, default: 0] == 1
        }
        /// The op after `index` that reads `name` as its X, if it has type `type`.
        func reader(of name: String, after index: Int, type: String) -> Int? {
            guard let r = block.ops[(index + 1)...].firstIndex(where: { $0.inputNames.contains(name) }),
                block.ops[r].type == type, block.ops[r].input("X") == [name]
            else { return nil }
            return r
        }
        for (i, op) in block.ops.enumerated() where op.type == "mul" {
            let mul = PassSupport.filled(op)
            guard let xn = try? mul.int("x_num_col_dims"), (try? mul.int("y_num_col_dims")) == 1,
                let x = mul.input("X").first, let w = mul.input("Y").first, let product = mul.output("Out").first,
                parameter(w), let wShape = declared(w)?.shape, wShape.count == 2,
                privateTemporary(product), let k = reader(of: product, after: i, type: "elementwise_add")
            else { continue }
            let add = PassSupport.filled(block.ops[k])
            guard let bias = add.input("Y").first, parameter(bias), let bShape = declared(bias)?.shape,
                let axis = try? add.int("axis"), let sum = add.output("Out").first
            else { continue }
            let n = wShape[1]
            let alongLastAxis =
                (bShape.count == 1 && (axis == -1 || axis == xn))
                || (bShape.count == 2 && bShape[0] == 1 && axis == -1)
            guard alongLastAxis, let last = bShape.last, dimsAgree(last, n) else { continue }
            var relu: Int?
            var out = sum
            if privateTemporary(sum), let r = reader(of: sum, after: k, type: "relu"),
                let o = block.ops[r].output("Out").first
            {
                relu = r
                out = o
            }
            let end = relu ?? k
            guard !block.ops[(i + 1)..<end].contains(where: { $0.outputNames.contains(x) }) else { continue }
            var fc = OpDesc(
                type: "fc", inputs: ["Input": [x], "W": [w], "Bias": [bias]], outputs: ["Out": [out]],
                attributes: [
                    "in_num_col_dims": .int(Int32(xn)),
                    "activation_type": .string(relu == nil ? "" : "relu"),
                    "padding_weights": .bool(false),
                ])
            fc.role = op.role
            return Match(mul: i, add: k, relu: relu, fc: fc)
        }
        return nil
    }
}
