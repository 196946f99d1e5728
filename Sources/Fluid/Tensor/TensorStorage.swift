import Foundation

/// A 64-byte-aligned byte buffer that keeps its capacity when asked for fewer bytes.
///
/// A storage may instead borrow a slice of another (`borrow(_:byteOffset:byteCount:)`, what
/// `coalesce_tensor` makes of the gradients it fuses): it then owns nothing, keeps its owner
/// alive, and takes a buffer of its own again only when asked for more bytes than the slice.
final class TensorStorage {
    static let alignment = 64
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// The storage whose bytes this one borrows, or nil when it owns `pointer`.
    private(set) var owner: TensorStorage?

    init(byteCount: Int) {
        capacity = max(byteCount, 0)
        pointer = Self.allocateZeroed(max(capacity, TensorStorage.alignment))
    }

    deinit { if owner == nil { pointer.deallocate() } }

    /// Makes room for `byteCount` bytes. Returns true when a new buffer was allocated
    /// (contents are then zero); a smaller or equal request keeps the buffer and its bytes.
    @discardableResult
    func reserve(_ byteCount: Int) -> Bool {
        guard byteCount > capacity else { return false }
        release()
        capacity = byteCount
        pointer = Self.allocateZeroed(byteCount)
        return true
    }

    /// Makes this storage `byteCount` bytes of `other` from `byteOffset` (which must lie
    /// within it), freeing its own buffer.
    func borrow(_ other: TensorStorage, byteOffset: Int, byteCount: Int) {
        precondition(byteOffset >= 0 && byteOffset + byteCount <= other.capacity, "borrowed slice out of range")
        let root = other.owner ?? other
        let start = other.pointer + byteOffset
        guard owner !== root || pointer != start || capacity != byteCount else { return }
        release()
        owner = root
        pointer = start
        capacity = byteCount
    }

    /// Whether this storage is `byteCount` bytes of `other` from `byteOffset`.
    func borrows(_ other: TensorStorage, byteOffset: Int, byteCount: Int) -> Bool {
        owner === (other.owner ?? other) && pointer == other.pointer + byteOffset && capacity == byteCount
    }

    private func release() {
        if owner == nil { pointer.deallocate() }
        owner = nil
    }

    private static func allocateZeroed(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: TensorStorage.alignment)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return p
    }
}
