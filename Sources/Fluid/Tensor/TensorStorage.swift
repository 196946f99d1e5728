import Foundation

/// A 64-byte-aligned byte buffer that keeps its capacity when asked for fewer bytes.
final class TensorStorage {
    static let alignment = 64
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(byteCount: Int) {
        capacity = max(byteCount, 0)
        pointer = UnsafeMutableRawPointer.allocate(
            byteCount: max(capacity, TensorStorage.alignment),
            alignment: TensorStorage.alignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(capacity, TensorStorage.alignment))
    }

    deinit { pointer.deallocate() }

    /// Makes room for `byteCount` bytes. Returns true when a new buffer was allocated
    /// (contents are then zero); a smaller or equal request keeps the buffer and its bytes.
    @discardableResult
    func reserve(_ byteCount: Int) -> Bool {
        guard byteCount > capacity else { return false }
        pointer.deallocate()
        capacity = byteCount
        pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: TensorStorage.alignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return true
    }
}
