/// Paddle's `op_role` attribute: what part of training an op belongs to.
public struct OpRole: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let forward = OpRole([])
    public static let backward = OpRole(rawValue: 0x0001)
    public static let optimize = OpRole(rawValue: 0x0002)
    public static let rpc = OpRole(rawValue: 0x0004)
    public static let dist = OpRole(rawValue: 0x0008)
    public static let lrSched = OpRole(rawValue: 0x0010)
    public static let loss = OpRole(rawValue: 0x0100)

    /// Attribute name Paddle uses.
    public static let attributeName = "op_role"
}
