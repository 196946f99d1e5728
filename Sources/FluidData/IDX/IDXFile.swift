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

    /// Files whose data would exceed this many bytes are refused before allocating.
    public static let maximumDataBytes = 1 << 32

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
    /// byte counts), longer than its header says, or has a bad magic or element type.
    public init(contentsOf path: String) throws {
        let reader = try GzipFileReader(path: path)
        let magic = try reader.readExactly(4, part: "magic number", offset: 0)
        guard magic[0] == 0, magic[1] == 0 else {
            let hex = magic.map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
            throw DataError.invalidFile(path: path, problem: "it is not an IDX file: it starts with \(hex.joined(separator: " ")), expected 0x00 0x00 then a type byte and a rank")
        }
        guard let elementType = ElementType(rawValue: magic[2]) else {
            throw DataError.invalidFile(path: path, problem: "its IDX element type byte is 0x\(String(magic[2], radix: 16, uppercase: true)), which IDX does not define")
        }
        let rank = Int(magic[3])
        guard rank >= 1 else {
            throw DataError.invalidFile(path: path, problem: "its IDX header declares rank 0; IDX data needs at least one dimension")
        }
        let header = try reader.readExactly(4 * rank, part: "header of \(rank) dimensions", offset: 4)
        var dimensions: [Int] = []
        var dataBytes = elementType.size
        for d in 0..<rank {
            let value = header[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
            dimensions.append(value)
            let (product, overflow) = dataBytes.multipliedReportingOverflow(by: value)
            guard !overflow, product <= IDXFile.maximumDataBytes else {
                throw DataError.invalidFile(path: path, problem: "its header claims dimensions \(header.bigEndianDimensions(rank)), more than \(IDXFile.maximumDataBytes) bytes of data")
            }
            dataBytes = product
        }
        let headerBytes = 4 + 4 * rank
        let data = try reader.readExactly(dataBytes, part: "data for dimensions \(dimensions)", offset: headerBytes)
        guard try reader.isAtEnd() else {
            throw DataError.invalidFile(path: path, problem: "it holds more than the \(headerBytes + dataBytes) bytes its header declares (dimensions \(dimensions))")
        }
        self.path = path
        self.elementType = elementType
        self.dimensions = dimensions
        self.data = data
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Array where Element == UInt8 {
    fileprivate func bigEndianDimensions(_ rank: Int) -> [Int] {
        (0..<rank).map { d in self[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) } }
    }
}
