/// One op of a block: its Paddle type, named input and output slots holding variable names,
/// and typed attributes. Slots keep the order they were added in (sorted by name when built
/// from dictionaries).
public struct OpDesc: Equatable, Sendable {
    public var type: String
    public var inputs: [(slot: String, names: [String])] { inputSlots.map { ($0.slot, $0.names) } }
    public var outputs: [(slot: String, names: [String])] { outputSlots.map { ($0.slot, $0.names) } }
    public var attributes: [String: Attribute]
    /// Paddle's `is_target` flag, carried through files unchanged.
    public var isTarget = false
    /// Fields of the op a file held that SwiftFluid does not model, written back on save.
    public var retained = RetainedFields()

    struct SlotEntry: Equatable, Sendable {
        var slot: String
        var names: [String]
    }
    private var inputSlots: [SlotEntry]
    private var outputSlots: [SlotEntry]

    public init(
        type: String, inputs: [String: [String]] = [:], outputs: [String: [String]] = [:],
        attributes: [String: Attribute] = [:]
    ) {
        self.type = type
        self.inputSlots = inputs.keys.sorted().map { SlotEntry(slot: $0, names: inputs[$0]!) }
        self.outputSlots = outputs.keys.sorted().map { SlotEntry(slot: $0, names: outputs[$0]!) }
        self.attributes = attributes
    }

    /// Variable names in an input slot (empty when the slot is absent).
    public func input(_ slot: String) -> [String] {
        inputSlots.first { $0.slot == slot }?.names ?? []
    }

    /// Variable names in an output slot (empty when the slot is absent).
    public func output(_ slot: String) -> [String] {
        outputSlots.first { $0.slot == slot }?.names ?? []
    }

    public mutating func setInput(_ slot: String, _ names: [String]) {
        if let i = inputSlots.firstIndex(where: { $0.slot == slot }) {
            inputSlots[i].names = names
        } else {
            inputSlots.append(SlotEntry(slot: slot, names: names))
        }
    }

    public mutating func setOutput(_ slot: String, _ names: [String]) {
        if let i = outputSlots.firstIndex(where: { $0.slot == slot }) {
            outputSlots[i].names = names
        } else {
            outputSlots.append(SlotEntry(slot: slot, names: names))
        }
    }

    /// Every variable the op reads.
    public var inputNames: [String] { inputSlots.flatMap(\.names) }
    /// Every variable the op writes.
    public var outputNames: [String] { outputSlots.flatMap(\.names) }

    public subscript(attribute name: String) -> Attribute? {
        get { attributes[name] }
        set { attributes[name] = newValue }
    }

    /// The op's role (forward when the attribute is absent).
    public var role: OpRole {
        get { OpRole(rawValue: Int32(attributes[OpRole.attributeName]?.intValue ?? 0)) }
        set { attributes[OpRole.attributeName] = .int(newValue.rawValue) }
    }

    public static func == (a: OpDesc, b: OpDesc) -> Bool {
        a.type == b.type && a.inputSlots == b.inputSlots && a.outputSlots == b.outputSlots
            && a.attributes == b.attributes
            && a.isTarget == b.isTarget
    }
}

// Typed attribute reads. Kernels and shape inference see ops whose schema defaults are filled,
// so a missing attribute here is a schema error, reported with the op and attribute names.
extension OpDesc {
    private func required(_ name: String) throws -> Attribute {
        guard let a = attributes[name] else { throw FluidError.attribute(op: type, name: name, message: "is missing") }
        return a
    }

    private func mismatch(_ name: String, _ expected: String, _ a: Attribute) -> FluidError {
        .attribute(op: type, name: name, message: "should be \(expected), found \(a)")
    }

    public func int(_ name: String) throws -> Int {
        let a = try required(name)
        guard let v = a.intValue else { throw mismatch(name, "an integer", a) }
        return v
    }

    public func float(_ name: String) throws -> Float {
        let a = try required(name)
        guard let v = a.floatValue else { throw mismatch(name, "a float", a) }
        return v
    }

    public func double(_ name: String) throws -> Double {
        let a = try required(name)
        guard let v = a.doubleValue else { throw mismatch(name, "a float", a) }
        return v
    }

    /// The `DataType` named by an integer attribute such as `dtype`.
    public func dataType(_ name: String) throws -> DataType {
        let code = try int(name)
        guard let t = Int32(exactly: code).flatMap(DataType.init(rawValue:)) else {
            throw FluidError.attribute(op: type, name: name, message: "names no supported data type: \(code)")
        }
        return t
    }

    public func bool(_ name: String) throws -> Bool {
        let a = try required(name)
        switch a {
        case .bool(let v): return v
        case .int(let v): return v != 0
        default: throw mismatch(name, "a bool", a)
        }
    }

    public func string(_ name: String) throws -> String {
        let a = try required(name)
        guard case .string(let v) = a else { throw mismatch(name, "a string", a) }
        return v
    }

    public func ints(_ name: String) throws -> [Int] {
        let a = try required(name)
        if let v = a.intsValue { return v }
        if let v = a.intValue { return [v] }
        throw mismatch(name, "a list of integers", a)
    }

    public func floats(_ name: String) throws -> [Float] {
        let a = try required(name)
        guard let v = a.floatsValue else { throw mismatch(name, "a list of floats", a) }
        return v
    }

    public func strings(_ name: String) throws -> [String] {
        let a = try required(name)
        guard case .strings(let v) = a else { throw mismatch(name, "a list of strings", a) }
        return v
    }
}
