/// An op's input or output slot.
public struct SlotSpec: Sendable {
    public var name: String
    /// Holds a list of variables (like `sum`'s X) rather than one.
    public var duplicable: Bool
    /// May be absent or empty.
    public var dispensable: Bool
    /// Set for a slot Paddle defines but SwiftFluid does not implement: a program that fills it
    /// is refused with this reason, rather than run with the slot ignored.
    public var unsupportedReason: String?

    public init(_ name: String, duplicable: Bool = false, dispensable: Bool = false) {
        self.name = name
        self.duplicable = duplicable
        self.dispensable = dispensable
    }

    /// A slot that may be left out.
    public static func optional(_ name: String) -> SlotSpec { SlotSpec(name, dispensable: true) }
    /// A slot holding a list of variables.
    public static func many(_ name: String) -> SlotSpec { SlotSpec(name, duplicable: true) }
    /// A slot that must be left empty, because what it would change is not implemented.
    public static func unsupported(_ name: String, _ reason: String) -> SlotSpec {
        var s = SlotSpec(name, duplicable: true, dispensable: true)
        s.unsupportedReason = reason
        return s
    }
}

/// An attribute an op reads, with the default used when a program leaves it out.
public struct AttributeSpec: Sendable {
    public var name: String
    public var defaultValue: Attribute
    /// Set for an attribute whose other values change the op's meaning in a way SwiftFluid does
    /// not implement: only the default is accepted.
    public var unsupportedReason: String?

    public init(_ name: String, _ defaultValue: Attribute) {
        self.name = name
        self.defaultValue = defaultValue
    }

    /// An attribute accepted only at `defaultValue`; any other value is refused with `reason`.
    public static func onlyDefault(_ name: String, _ defaultValue: Attribute, _ reason: String) -> AttributeSpec {
        var a = AttributeSpec(name, defaultValue)
        a.unsupportedReason = reason
        return a
    }
}

/// Slots and attributes of an op type, named as Paddle names them.
public struct OpSchema: Sendable {
    public var type: String
    public var inputs: [SlotSpec]
    public var outputs: [SlotSpec]
    public var attributes: [AttributeSpec]

    public init(_ type: String, inputs: [SlotSpec] = [], outputs: [SlotSpec] = [], attributes: [AttributeSpec] = []) {
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// `op` checked against what SwiftFluid implements of the schema, with its defaults filled:
    /// what shape inference, kernels and gradient rules receive.
    public func bind(_ op: OpDesc) throws -> OpDesc {
        try checkSupported(op)
        return fillingDefaults(op)
    }

    /// Throws `FluidError.unsupported` naming the slot or attribute when `op` fills a slot or
    /// sets an attribute that the schema marks unsupported.
    public func checkSupported(_ op: OpDesc) throws {
        for slot in inputs + outputs {
            guard let reason = slot.unsupportedReason else { continue }
            let names = (op.input(slot.name) + op.output(slot.name)).filter(isRealName)
            if !names.isEmpty {
                throw FluidError.unsupported(op: type, name: slot.name, message: "is given (\(names)), but \(reason)")
            }
        }
        for a in attributes {
            guard let reason = a.unsupportedReason, let value = op.attributes[a.name], value != a.defaultValue
            else { continue }
            throw FluidError.unsupported(
                op: type, name: a.name, message: "is \(value), but only \(a.defaultValue) is supported: \(reason)")
        }
    }

    /// `op` with every attribute the schema declares and the op leaves out set to its default.
    public func fillingDefaults(_ op: OpDesc) -> OpDesc {
        var op = op
        for a in attributes where op.attributes[a.name] == nil { op.attributes[a.name] = a.defaultValue }
        return op
    }
}
