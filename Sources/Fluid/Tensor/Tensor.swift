/// A dense n-dimensional array: dtype, shape, contiguous row-major 64-byte-aligned storage,
/// and an optional LoD (level-of-detail offsets, carried through for Paddle compatibility).
///
/// Resizing to fewer or equal bytes reuses the storage, so a plan that runs step after step
/// with stable shapes allocates nothing.
///
/// The public initializers validate what they are given (shape, scalar count, LoD) and throw
/// `FluidError.invalidTensor`; the typed accessors check the dtype. Kernels use the internal
/// unchecked paths, whose inputs shape inference has already validated.
///
/// ```swift
/// let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
/// try t.scalars(as: Float.self)   // [1, 2, 3, 4, 5, 6]
/// ```
public final class Tensor: @unchecked Sendable {
    /// The most elements one tensor may hold: 2^31, which keeps element counts (and an int32
    /// index of any element) representable, and is checked by shape inference, the tensor
    /// initializers and the loaders before anything is allocated.
    public static let maximumElementCount = 1 << 31

    public private(set) var dtype: DataType
    public private(set) var shape: [Int]
    public private(set) var count: Int
    /// Offsets per LoD level (Paddle's LoDTensor); empty for a plain tensor. Set it with
    /// `setLoD(_:)`, which validates the offsets.
    public internal(set) var lod: [[Int]] = []
    private let storage: TensorStorage

    /// An unchecked tensor: `shape` must be concrete and its element count at most
    /// `maximumElementCount` (shape inference and the loaders check this first).
    init(uncheckedDType dtype: DataType, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be concrete: \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = TensorStorage(byteCount: count * dtype.size)
    }

    /// An empty float32 scalar, to be resized.
    public convenience init() {
        self.init(uncheckedDType: .float32, shape: [])
    }

    /// A zero-filled tensor. Throws `FluidError.invalidTensor` when a dimension is negative or
    /// the element count exceeds `maximumElementCount`.
    public convenience init(dtype: DataType = .float32, shape: [Int]) throws {
        _ = try Tensor.validatedCount(of: shape)
        self.init(uncheckedDType: dtype, shape: shape)
    }

    /// A tensor holding `scalars` in row-major order. Throws `FluidError.invalidTensor` when
    /// the shape is invalid or does not hold exactly `scalars.count` elements.
    public convenience init<T: TensorElement>(shape: [Int], scalars: [T]) throws {
        let count = try Tensor.validatedCount(of: shape)
        guard scalars.count == count else {
            throw FluidError.invalidTensor(
                "a tensor of shape \(shape) needs \(count) scalars, but \(scalars.count) were given")
        }
        self.init(uncheckedDType: T.dataType, shape: shape)
        scalars.withUnsafeBytes { src in
            if let base = src.baseAddress { storage.pointer.copyMemory(from: base, byteCount: byteCount) }
        }
    }

    public convenience init<T: TensorElement>(scalar: T) {
        self.init(uncheckedDType: T.dataType, shape: [])
        storage.pointer.assumingMemoryBound(to: T.self)[0] = scalar
    }

    /// The element count of `shape`, or nil when a dimension is negative, the product
    /// overflows or it exceeds `maximumElementCount`.
    public static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maximumElementCount else { return nil }
            count = product
        }
        return count
    }

    static func validatedCount(of shape: [Int]) throws -> Int {
        guard let count = elementCount(of: shape) else {
            let problem =
                shape.contains { $0 < 0 }
                ? "has a negative dimension"
                : "holds more than Tensor.maximumElementCount (\(maximumElementCount)) elements"
            throw FluidError.invalidTensor("shape \(shape) \(problem)")
        }
        return count
    }

    public var rank: Int { shape.count }
    public var byteCount: Int { count * dtype.size }
    /// Bytes the storage holds without reallocating.
    public var capacity: Int { storage.capacity }
    public var rawPointer: UnsafeMutableRawPointer { storage.pointer }

    /// Sets dtype and shape, reusing the storage when it is large enough. Returns true when new
    /// storage was allocated. Throws `FluidError.invalidTensor` for a negative dimension or more
    /// than `maximumElementCount` elements, leaving the tensor as it was.
    @discardableResult
    public func resize(_ shape: [Int], dtype: DataType? = nil) throws -> Bool {
        _ = try Self.validatedCount(of: shape)
        return resize(unchecked: shape, dtype: dtype)
    }

    /// `resize` for shapes shape inference has already bounded (the executor's outputs).
    @discardableResult
    func resize(unchecked shape: [Int], dtype: DataType? = nil) -> Bool {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be concrete: \(shape)")
        if let dtype { self.dtype = dtype }
        if self.shape != shape { self.shape = shape }
        count = shape.reduce(1, *)
        return storage.reserve(count * self.dtype.size)
    }

    /// Typed pointer to the elements, unchecked beyond a precondition: for kernels, whose
    /// dtypes shape inference has checked. Public code uses `typedPointer(as:)`.
    @inline(__always)
    func pointer<T: TensorElement>(as type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dataType == dtype, "Tensor of \(dtype) viewed as \(T.dataType)")
        return storage.pointer.assumingMemoryBound(to: T.self)
    }

    /// Typed pointer used by float kernels (unchecked, as `pointer(as:)`).
    @inline(__always)
    var floats: UnsafeMutablePointer<Float> { pointer(as: Float.self) }

    /// Typed pointer to the elements; throws `FluidError.invalidTensor` unless `dtype` is
    /// `T`'s. Valid while the tensor lives and is not resized to more bytes.
    public func typedPointer<T: TensorElement>(as type: T.Type) throws -> UnsafeMutablePointer<T> {
        guard T.dataType == dtype else {
            throw FluidError.invalidTensor("a tensor of \(dtype)\(shape) cannot be read as \(T.dataType)")
        }
        return storage.pointer.assumingMemoryBound(to: T.self)
    }

    /// `typedPointer(as: Float.self)`: throws unless the tensor holds float32.
    public func floatPointer() throws -> UnsafeMutablePointer<Float> { try typedPointer(as: Float.self) }

    /// The elements as an array; throws `FluidError.invalidTensor` unless `dtype` is `T`'s.
    public func scalars<T: TensorElement>(as type: T.Type) throws -> [T] {
        Array(UnsafeBufferPointer(start: try typedPointer(as: T.self), count: count))
    }

    /// The one element (of a shape such as [], [1] or [1, 1]); throws when the dtype differs or
    /// the tensor holds more or fewer than one element.
    public func scalar<T: TensorElement>(as type: T.Type) throws -> T {
        guard count == 1 else {
            throw FluidError.invalidTensor(
                "a tensor of \(dtype)\(shape) holds \(count) elements, not the one a scalar read needs")
        }
        return try typedPointer(as: T.self)[0]
    }

    /// The elements as an array (dtype checked by precondition; for code that created the tensor).
    func uncheckedScalars<T: TensorElement>(as type: T.Type) -> [T] {
        Array(UnsafeBufferPointer(start: pointer(as: T.self), count: count))
    }

    /// Copies shape, dtype, LoD and elements from `other`.
    public func copy(from other: Tensor) {
        resize(unchecked: other.shape, dtype: other.dtype)
        lod = other.lod
        storage.pointer.copyMemory(from: other.rawPointer, byteCount: other.byteCount)
    }

    /// An independent copy.
    public func clone() -> Tensor {
        let t = Tensor(uncheckedDType: dtype, shape: shape)
        t.copy(from: self)
        return t
    }

    /// Makes this tensor's elements (its current shape and dtype) the bytes of `fused` from
    /// `byteOffset` on, as Paddle's ShareDataWith a slice: writes to either are seen by both.
    /// The view lasts until this tensor is resized to more bytes, or `fused` reallocates.
    func shareStorage(of fused: Tensor, byteOffset: Int) {
        storage.borrow(fused.storage, byteOffset: byteOffset, byteCount: byteCount)
    }

    /// Whether `shareStorage(of: fused, byteOffset:)` holds now.
    func sharesStorage(of fused: Tensor, byteOffset: Int) -> Bool {
        storage.borrows(fused.storage, byteOffset: byteOffset, byteCount: byteCount)
    }

    /// Fills every element with zero bytes.
    public func zero() {
        storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview: String
        switch dtype {
        case .float32: preview = uncheckedScalars(as: Float.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .float64: preview = uncheckedScalars(as: Double.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .int64: preview = uncheckedScalars(as: Int64.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .int32: preview = uncheckedScalars(as: Int32.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        default: preview = "..."
        }
        return "Tensor<\(dtype)>\(shape) [\(preview)\(count > 8 ? ", ..." : "")]"
    }
}
