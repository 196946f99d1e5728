/// The parts of a ProgramDesc message that SwiftFluid reads but does not model: fields newer
/// than its schema, a variable's attributes, the type details of kinds it does not run. A
/// program read from a file keeps them and writes them back, so a Paddle file survives a round
/// trip through SwiftFluid. They carry no meaning here, so equality ignores them.
public struct RetainedFields: Equatable, Sendable {
    /// A field the schema does not know, as it was on the wire.
    struct UnknownField: Equatable, Sendable {
        var tag: UInt32
        var wireType: UInt32
        var bytes: [UInt8]
    }

    /// A variable's `VarType` as read, with the kind, dtype, shape and LoD level decoded from
    /// it: written back byte for byte while the variable still has that view.
    struct VarTypeRecord: Equatable, Sendable {
        var bytes: [UInt8]
        var kind: VarKind
        var dtype: DataType
        var shape: [Int]
        var lodLevel: Int
    }

    var unknown: [UnknownField] = []
    /// VarDesc only: the serialized `VarType`.
    var varType: VarTypeRecord?
    /// VarDesc only: each serialized `VarDesc.Attr`.
    var varAttributes: [[UInt8]] = []

    public init() {}

    /// True when nothing is retained.
    public var isEmpty: Bool { unknown.isEmpty && varType == nil && varAttributes.isEmpty }

    public static func == (_: RetainedFields, _: RetainedFields) -> Bool { true }
}
