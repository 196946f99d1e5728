/// An op's input or output slot.
public struct SlotSpec: Sendable {
    public var name: String
    /// Holds a list of variables (like `sum`'s X) rather than one.
    public var duplicable: Bool
    /// May be absent or empty.
    public var dispensable: Bool

    public init(_ name: String, duplicable: Bool = false, dispensable: Bool = false) {
        self.name = name
        self.duplicable = duplicable
        self.dispensable = dispensable
    }

    /// A slot that may be left out.
    public static func optional(_ name: String) -> SlotSpec { SlotSpec(name, dispensable: true) }
    /// A slot holding a list of variables.
    public static func many(_ name: String) -> SlotSpec { SlotSpec(name, duplicable: true) }
}

/// An attribute an op reads, with the default used when a program leaves it out.
public struct AttributeSpec: Sendable {
    public var name: String
    public var defaultValue: Attribute

    public init(_ name: String, _ defaultValue: Attribute) {
        self.name = name
        self.defaultValue = defaultValue
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

    /// `op` with every attribute the schema declares and the op leaves out set to its default.
    public func fillingDefaults(_ op: OpDesc) -> OpDesc {
        var op = op
        for a in attributes where op.attributes[a.name] == nil { op.attributes[a.name] = a.defaultValue }
        return op
    }
}
