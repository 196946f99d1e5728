import Fluid

/// An IDX file, the format of MNIST and Fashion-MNIST: a 4-byte magic (two zero bytes, an
/// element-type byte, the rank), one big-endian UInt32 per dimension, then the elements in
/// row-major order (big-endian for multi-byte types). Files may be gzip-compressed.
///
/// ```swift
/// let labels = try IDXFile(contentsOf: "t10k-labels-idx1-ubyte.gz")
/// labels.dimensions   // [10000]
/// labels.data[0]      // 7
/// ```
public struct IDXFile: Sendable {
    /// The element types IDX defines, by their type byte.
    public enum ElementType: UInt8, Sendable, CustomStringConvertible {
        case uint8 = 0x08
        case int8 = 0x09
        case int16 = 0x0B
        case int32 = 0x0C
        case float32 = 0x0D
        case float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }

        public var description: String {
            switch self {
            case .uint8: "unsigned byte (0x08)"
            case .int8: "signed byte (0x09)"
            case .int16: "int16 (0x0B)"
            case .int32: "int32 (0x0C)"
            case .float32: "float32 (0x0D)"
            case .float64: "float64 (0x0E)"
            }
        }
    }

    /// Files whose data would exceed this many bytes are refused before allocating:
    /// `FluidLimits.maxIDXBytes` (1 GiB unless raised).
    public static var maximumDataBytes: Int { FluidLimits.maxIDXBytes }

    public let path: String
    public let elementType: ElementType
    public let dimensions: [Int]
    /// The elements as stored in the file (big-endian for multi-byte types).
    public let data: [UInt8]

    /// Number of elements: the product of the dimensions.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// Reads and checks an IDX file, gzip-compressed or plain.
    ///
    /// Throws `DataError` naming the file when it is missing, truncated (expected and found
    /// byte counts), longer than its header says, or has a bad magic or element type. A header
    /// claiming more than the file can hold, or more than `FluidLimits.maxIDXBytes`, is refused
    /// before memory is reserved for it.
    public init(contentsOf path: String) throws {
        try self.init(try IDXStream(path: path))
    }

    /// Reads the data of a stream whose header is already read.
    init(_ stream: IDXStream) throws {
        let data = try stream.readData()
        self.path = stream.path
        self.elementType = stream.elementType
        self.dimensions = stream.dimensions
        self.data = data
    }
}
