import Fluid

/// The dtype and shape of one field of a sample (without the batch dimension).
public struct FieldLayout: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var dtype: DataType
    public var shape: [Int]

    public init(dtype: DataType, shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { elementCount * dtype.size }
    public var description: String { "\(dtype) \(shape)" }
}

/// A sample the `DataFeeder` can turn into feed tensors: one field per feed variable, in
/// feed-list order, each copied straight into the batch tensor.
///
/// ```swift
/// struct Point: FeedSample {
///     var xy: (Float, Float), label: Int64
///     var fieldLayouts: [FieldLayout] { [.init(dtype: .float32, shape: [2]), .init(dtype: .int64, shape: [1])] }
///     func copyField(_ field: Int, to destination: UnsafeMutableRawPointer) {
///         if field == 0 { destination.storeBytes(of: xy.0, as: Float.self)
///                         destination.storeBytes(of: xy.1, toByteOffset: 4, as: Float.self) }
///         else { destination.storeBytes(of: label, as: Int64.self) }
///     }
/// }
/// ```
public protocol FeedSample {
    /// The layout of each field, in feed-list order. Samples of one kind should return the
    /// same array instance every time (the feeder compares layouts per sample).
    var fieldLayouts: [FieldLayout] { get }

    /// Writes field `field`'s elements (`fieldLayouts[field].byteCount` bytes, native
    /// byte order, row-major) to `destination`.
    func copyField(_ field: Int, to destination: UnsafeMutableRawPointer)
}

/// A sample whose fields are arrays it owns: a general-purpose `FeedSample`.
///
/// ```swift
/// let sample = ArraySample(try .float32([0.5, -0.5], shape: [2]), try .int64([1], shape: [1]))
/// ```
public struct ArraySample: FeedSample, Sendable {
    /// One field: its layout and its elements' bytes.
    public struct Field: Sendable {
        public let layout: FieldLayout
        public let bytes: [UInt8]

        /// A float32 field of `shape` holding `values` (row-major).
        public static func float32(_ values: [Float], shape: [Int]) throws -> Field {
            try Field(layout: FieldLayout(dtype: .float32, shape: shape), values: values)
        }

        /// An int64 field of `shape` (labels).
        public static func int64(_ values: [Int64], shape: [Int]) throws -> Field {
            try Field(layout: FieldLayout(dtype: .int64, shape: shape), values: values)
        }

        /// An int32 field of `shape`.
        public static func int32(_ values: [Int32], shape: [Int]) throws -> Field {
            try Field(layout: FieldLayout(dtype: .int32, shape: shape), values: values)
        }

        /// Throws `FluidError.invalidArgument` unless `values` fills `layout.shape` exactly.
        private init<T>(layout: FieldLayout, values: [T]) throws {
            guard let count = Tensor.elementCount(of: layout.shape), count == values.count else {
                throw FluidError.invalidArgument(
                    name: "shape",
                    message: "a field of shape \(layout.shape) cannot hold the \(values.count) values given")
            }
            self.layout = layout
            self.bytes = values.withUnsafeBytes { [UInt8]($0) }
        }
    }

    public let fields: [Field]
    public let fieldLayouts: [FieldLayout]

    public init(_ fields: Field...) {
        self.init(fields: fields)
    }

    public init(fields: [Field]) {
        self.fields = fields
        self.fieldLayouts = fields.map(\.layout)
    }

    public func copyField(_ field: Int, to destination: UnsafeMutableRawPointer) {
        fields[field].bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { destination.copyMemory(from: base, byteCount: source.count) }
        }
    }
}
