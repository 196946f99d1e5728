/// A dense n-dimensional array: dtype, shape, contiguous row-major 64-byte-aligned storage,
/// and an optional LoD (level-of-detail offsets, carried through for Paddle compatibility).
///
/// Resizing to fewer or equal bytes reuses the storage, so a plan that runs step after step
/// with stable shapes allocates nothing.
///
/// ```swift
/// let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
/// t.scalars(as: Float.self)   // [1, 2, 3, 4, 5, 6]
/// ```
public final class Tensor: @unchecked Sendable {
    public private(set) var dtype: DataType
    public private(set) var shape: [Int]
    public private(set) var count: Int
    /// Offsets per LoD level (Paddle's LoDTensor); empty for a plain tensor.
    public var lod: [[Int]] = []
    private let storage: TensorStorage

    public init(dtype: DataType = .float32, shape: [Int] = []) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be concrete: \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = TensorStorage(byteCount: count * dtype.size)
    }

    public convenience init<T: TensorElement>(shape: [Int], scalars: [T]) {
        self.init(dtype: T.dataType, shape: shape)
        precondition(scalars.count == count, "Tensor(shape: \(shape)) needs \(count) scalars, got \(scalars.count)")
        scalars.withUnsafeBufferPointer { src in
            storage.pointer.copyMemory(from: src.baseAddress!, byteCount: count * dtype.size)
        }
    }

    public convenience init<T: TensorElement>(scalar: T) {
        self.init(shape: [], scalars: [scalar])
    }

    public var rank: Int { shape.count }
    public var byteCount: Int { count * dtype.size }
    /// Bytes the storage holds without reallocating.
    public var capacity: Int { storage.capacity }
    public var rawPointer: UnsafeMutableRawPointer { storage.pointer }

    /// Sets dtype and shape, reusing the storage when it is large enough.
    /// Returns true when new storage was allocated.
    @discardableResult
    public func resize(_ shape: [Int], dtype: DataType? = nil) -> Bool {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be concrete: \(shape)")
        if let dtype { self.dtype = dtype }
        if self.shape != shape { self.shape = shape }
        count = shape.reduce(1, *)
        return storage.reserve(count * self.dtype.size)
    }

    /// Typed pointer to the elements. The element type must match `dtype`.
    @inline(__always)
    public func pointer<T: TensorElement>(as type: T.Type) -> UnsafeMutablePointer<T> {
        precondition(T.dataType == dtype, "Tensor of \(dtype) viewed as \(T.dataType)")
        return storage.pointer.assumingMemoryBound(to: T.self)
    }

    /// Typed pointer used by float kernels.
    @inline(__always)
    public var floats: UnsafeMutablePointer<Float> { pointer(as: Float.self) }

    public func scalars<T: TensorElement>(as type: T.Type) -> [T] {
        Array(UnsafeBufferPointer(start: pointer(as: T.self), count: count))
    }

    public func scalar<T: TensorElement>(as type: T.Type) -> T {
        precondition(count >= 1, "scalar of an empty tensor")
        return pointer(as: T.self)[0]
    }

    /// Copies shape, dtype, LoD and elements from `other`.
    public func copy(from other: Tensor) {
        resize(other.shape, dtype: other.dtype)
        lod = other.lod
        storage.pointer.copyMemory(from: other.rawPointer, byteCount: other.byteCount)
    }

    /// An independent copy.
    public func clone() -> Tensor {
        let t = Tensor(dtype: dtype, shape: shape)
        t.copy(from: self)
        return t
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
        case .float32: preview = scalars(as: Float.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .float64: preview = scalars(as: Double.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .int64: preview = scalars(as: Int64.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        case .int32: preview = scalars(as: Int32.self).prefix(8).map { "\($0)" }.joined(separator: ", ")
        default: preview = "..."
        }
        return "Tensor<\(dtype)>\(shape) [\(preview)\(count > 8 ? ", ..." : "")]"
    }
}
