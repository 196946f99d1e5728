/// The graph under construction: what the op mappers read (the current op, shapes) and write
/// (nodes, initializers).
struct ONNXGraphBuilder {
    var graph: ONNXGraph
    let program: Program
    let scope: Scope
    /// Every value's dtype and shape so far (-1 for the batch).
    var metas: [String: TensorMeta] = [:]
    /// The Paddle op being mapped, with its schema's attribute defaults, and its index.
    private(set) var op = OpDesc(type: "")
    private(set) var index = 0
    private var nodesOfOp = 0
    private var initialized = Set<String>()
    /// ONNX values are assigned once: a Paddle variable written again (an in-place op, a
    /// memory-optimised program) continues as `NAME.k`, and later readers read that.
    private var current: [String: String] = [:]
    private var paddleName: [String: String] = [:]
    private var defined = Set<String>()

    init(program: Program, scope: Scope) {
        self.program = program
        self.scope = scope
        graph = ONNXGraph(name: "swiftfluid")
    }

    /// Starts mapping `op`: fills its attribute defaults and infers its outputs' shapes.
    mutating func begin(_ op: OpDesc, index: Int) throws {
        let definition = try OpRegistry.definition(op.type)
        self.op = definition.schema.fillingDefaults(op)
        self.index = index
        nodesOfOp = 0
        let known = metas
        let block = program.globalBlock
        let scope = self.scope
        let results = try OpRegistry.inferShape(of: self.op) { name in
            if let m = known[name] { return m }
            if let t = scope[name] { return TensorMeta(t.dtype, t.shape) }
            return block.findVar(name).map { TensorMeta($0.dtype, $0.shape) }
        }
        for (name, meta) in results { metas[name] = meta }
    }

    /// The meta of `name`, an ONNX value or the Paddle variable it holds.
    func meta(_ name: String) throws -> TensorMeta {
        if let m = metas[name] ?? paddleName[name].flatMap({ metas[$0] }) { return m }
        if let t = scope[name] { return TensorMeta(t.dtype, t.shape) }
        throw error("variable '\(name)' has no known shape")
    }

    /// The ONNX value that holds Paddle variable `name` now.
    func value(_ name: String) -> String { current[name] ?? name }

    /// Declares a value written from outside the nodes (a graph input).
    mutating func define(_ name: String) { defined.insert(name) }

    /// The value of input `slot`, the variable made an initializer when it is a parameter.
    mutating func input(_ slot: String) throws -> String {
        guard let name = op.input(slot).first(where: isRealName) else { throw error("input \(slot) is empty") }
        return try input(named: name)
    }

    /// The value of Paddle variable `name` read by the current op.
    mutating func input(named name: String) throws -> String {
        try initializeIfParameter(name)
        return value(name)
    }

    /// The variable of input `slot`, or nil when the op leaves it out.
    mutating func optionalInput(_ slot: String) throws -> String? {
        op.input(slot).contains(where: isRealName) ? try input(slot) : nil
    }

    /// The value output `slot` of the current op writes: the variable's name the first time.
    mutating func output(_ slot: String) throws -> String {
        guard let name = op.output(slot).first(where: isRealName) else { throw error("output \(slot) is empty") }
        guard defined.contains(name) else {
            defined.insert(name)
            return name
        }
        var k = 1
        while defined.contains("\(name).\(k)") { k += 1 }
        let renamed = "\(name).\(k)"
        defined.insert(renamed)
        current[name] = renamed
        paddleName[renamed] = name
        return renamed
    }

    /// Makes a persistable variable of the scope an initializer (once).
    mutating func initializeIfParameter(_ name: String) throws {
        guard !initialized.contains(name), program.globalBlock.findVar(name)?.persistable == true else { return }
        guard let t = scope[name] else { throw error("parameter '\(name)' is not in the scope") }
        graph.initializers.append(ONNXTensor(name: name, tensor: t))
        metas[name] = TensorMeta(t.dtype, t.shape)
        initialized.insert(name)
        defined.insert(name)
    }

    /// The parameter `name` as it is in the scope, for mappers that rewrite it (nil otherwise).
    func parameter(_ name: String) -> Tensor? {
        program.globalBlock.findVar(name)?.persistable == true ? scope[name] : nil
    }

    /// A new initializer named after the current op; returns its name.
    mutating func constant<T: TensorElement>(_ suffix: String, dims: [Int], values: [T]) -> String {
        let name = "\(op.type)_\(index).\(suffix)"
        graph.initializers.append(ONNXTensor(name: name, dims: dims, values: values))
        metas[name] = TensorMeta(T.dataType, dims)
        return name
    }

    /// A name for an intermediate value of the current op's nodes.
    func intermediate(_ suffix: String) -> String { "\(op.type)_\(index).\(suffix)" }

    /// Appends a node for the current op: the first is named `TYPE_INDEX`, later ones
    /// `TYPE_INDEX.k`; each doc string is the Paddle op.
    mutating func node(
        _ type: String, _ inputs: [String], _ outputs: [String], _ attributes: [ONNXAttribute] = []
    ) {
        let name = nodesOfOp == 0 ? "\(op.type)_\(index)" : "\(op.type)_\(index).\(nodesOfOp)"
        nodesOfOp += 1
        graph.nodes.append(
            ONNXNode(
                type, name: name, inputs: inputs, outputs: outputs, attributes: attributes,
                docString: "Paddle op \(index): \(program.describe(op, in: program.globalBlock))"))
    }

    /// An error naming the current op.
    func error(_ message: String) -> FluidError {
        .program("ONNX export: op \(index) '\(op.type)': \(message)")
    }
}
