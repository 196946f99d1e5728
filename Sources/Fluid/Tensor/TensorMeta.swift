/// Dtype and shape of a variable as shape inference sees it (-1 marks an unknown size).
public struct TensorMeta: Equatable, Sendable, CustomStringConvertible {
    public var dtype: DataType
    public var shape: [Int]

    public init(_ dtype: DataType, _ shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    public var rank: Int { shape.count }
    public var description: String { "\(dtype)\(shape)" }
}
