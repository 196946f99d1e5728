/// Declares layers into a main program and their parameter initialisers into a startup
/// program, naming everything as Paddle does (`fc_0`, `fc_0.w_0`, `fc_0.tmp_0`). Nothing runs
/// while building; each op's shapes are inferred as it is appended, so a mismatch is reported
/// where it is made.
///
/// ```swift
/// let main = Program(), startup = Program()
/// let net = ProgramBuilder(main: main, startup: startup)
/// let img = net.data("img", shape: [-1, 784])
/// let hidden = try net.fc(img, size: 200, act: .relu)
/// let prediction = try net.fc(hidden, size: 10, act: .softmax)
/// ```
public final class ProgramBuilder {
    public let main: Program
    public let startup: Program

    public init(main: Program, startup: Program) {
        self.main = main
        self.startup = startup
    }

    var block: Block { main.globalBlock }

    /// Declares a data variable to be fed (stop_gradient, checked against feeds).
    @discardableResult
    public func data(_ name: String, shape: [Int], dtype: DataType = .float32, lodLevel: Int = 0) -> Variable {
        block.addVar(
            VarDesc(
                name: name, dtype: dtype, shape: shape, lodLevel: lodLevel,
                stopGradient: true, needCheckFeed: true))
        return Variable(name: name, dtype: dtype, shape: shape)
    }

    /// The variable named `name` in the main program.
    public func variable(_ name: String) throws -> Variable {
        guard let v = block.findVar(name) else {
            throw FluidError.missingVariable(name: name, context: "the main program declares no such variable")
        }
        return Variable(name: v.name, dtype: v.dtype, shape: v.shape)
    }

    /// A fresh layer name: `fc_0`, `fc_1`, ...
    func layerName(_ type: String) -> String { main.names.next(type) }

    /// A fresh temporary below `layer`: `fc_0.tmp_0`, ...
    func tmpName(_ layer: String) -> String { main.names.next(layer + ".tmp") }

    /// Appends an op whose outputs are fresh temporaries of `layer`, one per slot of `outputs`;
    /// returns them in that order, as shape inference declared them.
    private func appendOp(
        _ type: String, layer: String, inputs: [String: [String]], outputs: [String], attributes: [String: Attribute]
    ) throws -> [Variable] {
        let names = outputs.map { _ in tmpName(layer) }
        try block.appendInferred(
            OpDesc(
                type: type, inputs: inputs, outputs: Dictionary(uniqueKeysWithValues: zip(outputs, names.map { [$0] })),
                attributes: attributes))
        return try names.map(variable)
    }

    /// Appends an op with one output slot; returns its variable.
    func append(
        _ type: String, layer: String, inputs: [String: [String]], output: String,
        attributes: [String: Attribute] = [:]
    ) throws -> Variable {
        let outs = try appendOp(type, layer: layer, inputs: inputs, outputs: [output], attributes: attributes)
        return outs[0]
    }

    /// Appends an op with two output slots; returns their variables in that order.
    func append(
        _ type: String, layer: String, inputs: [String: [String]], outputs: (String, String),
        attributes: [String: Attribute] = [:]
    ) throws -> (Variable, Variable) {
        let outs = try appendOp(
            type, layer: layer, inputs: inputs, outputs: [outputs.0, outputs.1], attributes: attributes)
        return (outs[0], outs[1])
    }

    /// Appends an op with three output slots; returns their variables in that order.
    func append(
        _ type: String, layer: String, inputs: [String: [String]], outputs: (String, String, String),
        attributes: [String: Attribute] = [:]
    ) throws -> (Variable, Variable, Variable) {
        let outs = try appendOp(
            type, layer: layer, inputs: inputs, outputs: [outputs.0, outputs.1, outputs.2], attributes: attributes)
        return (outs[0], outs[1], outs[2])
    }

    /// Appends a one-input, one-output op `type` (X -> Out).
    func unary(_ type: String, _ x: Variable, layer: String? = nil, attributes: [String: Attribute] = [:]) throws
        -> Variable
    {
        try append(
            type, layer: layer ?? layerName(type), inputs: ["X": [x.name]], output: "Out", attributes: attributes)
    }

    /// Declares a trainable parameter in both programs and its initialiser in the startup program.
    func parameter(
        _ name: String, shape: [Int], dtype: DataType = .float32, attr: ParamAttr,
        defaultInitializer: Initializer
    ) -> Variable {
        let name = attr.name ?? name
        let desc = VarDesc(
            name: name, dtype: dtype, shape: shape, persistable: true,
            stopGradient: !attr.trainable, isParameter: true)
        block.addVar(desc)
        if !startup.globalBlock.hasLocalVar(name) {
            startup.globalBlock.addVar(desc)
            startup.globalBlock.appendOp(
                (attr.initializer ?? defaultInitializer).op(for: name, shape: shape, dtype: dtype))
        }
        return Variable(name: name, dtype: dtype, shape: shape)
    }

    /// Declares a persistable, non-trainable variable (running statistics) initialised to `value`.
    func persistable(_ name: String, shape: [Int], value: Float) -> Variable {
        let desc = VarDesc(
            name: name, dtype: .float32, shape: shape, persistable: true, stopGradient: true, isParameter: true)
        block.addVar(desc)
        if !startup.globalBlock.hasLocalVar(name) {
            startup.globalBlock.addVar(desc)
            startup.globalBlock.appendOp(Initializer.constant(value).op(for: name, shape: shape, dtype: .float32))
        }
        return Variable(name: name, dtype: .float32, shape: shape)
    }

    /// `value` as an INT attribute of `op`; throws naming the op and attribute when it does not
    /// fit the 32 bits Paddle's INT attributes hold.
    func int32Attribute(_ value: Int, name: String, op: String) throws -> Attribute {
        .int(try int32(value, name: name, op: op))
    }

    /// `values` as an INTS attribute, each checked as `int32Attribute` does.
    func int32sAttribute(_ values: [Int], name: String, op: String) throws -> Attribute {
        .ints(try values.map { try int32($0, name: name, op: op) })
    }

    private func int32(_ value: Int, name: String, op: String) throws -> Int32 {
        guard let v = Int32(exactly: value) else {
            throw FluidError.attribute(
                op: op, name: name, message: "is \(value), which does not fit a 32-bit integer attribute")
        }
        return v
    }

    /// Checks a per-axis layer argument: `counts` values (a count among them), each at least `minimum`.
    func checkAxes(_ values: [Int], counts: [Int], minimum: Int, name: String, op: String) throws {
        guard counts.contains(values.count) else {
            let expected = counts.map(String.init).joined(separator: " or ")
            throw FluidError.attribute(op: op, name: name, message: "should hold \(expected) values, found \(values)")
        }
        guard values.allSatisfy({ $0 >= minimum }) else {
            throw FluidError.attribute(
                op: op, name: name, message: "should hold values of at least \(minimum), found \(values)")
        }
    }

    /// Applies `act` to `x` under `layer`'s name (or returns `x` when nil).
    func activate(_ x: Variable, _ act: Activation?, layer: String) throws -> Variable {
        guard let act else { return x }
        return try unary(act.rawValue, x, layer: layer)
    }
}
