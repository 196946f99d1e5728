/// A handle on a variable of a program (as `ProgramBuilder` declares them): its name, dtype and build-time shape
/// (-1 for the unknown batch size).
public struct Variable: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let dtype: DataType
    public let shape: [Int]

    public init(name: String, dtype: DataType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    public var description: String { "\(name): \(dtype)\(shape)" }
}
