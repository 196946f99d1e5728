import Synchronization

/// The reduction a collective applies element-wise across the ranks.
public enum ReduceOperation: String, Sendable, CaseIterable {
    case sum, max, min, prod
}

/// What the collective ops (`c_allreduce_*`, `c_broadcast`, `barrier`) call: one group of
/// processes ("ranks") that exchange tensors. FluidDistributed provides one over MPI; a
/// process that was not launched by an MPI launcher has the single-process one, so a
/// collective program also runs alone. Calls are made by one thread at a time, in the same
/// order on every rank; a call that cannot complete (another rank failed, or never came)
/// throws instead of waiting for ever.
public protocol Communicator: AnyObject, Sendable {
    /// This process's rank, 0..<size.
    var rank: Int { get }
    var size: Int { get }
    /// A short name for errors and `fluid info`, such as "MPI (Open MPI 4.1.4)".
    var name: String { get }
    /// Reduces `count` elements of `dtype` at `buffer` across the ranks, in place: afterwards
    /// every rank holds the result.
    func allReduce(_ buffer: UnsafeMutableRawPointer, count: Int, dtype: DataType, operation: ReduceOperation) throws
    /// Copies `byteCount` bytes at `buffer` on rank `root` to `buffer` on every rank.
    func broadcast(_ buffer: UnsafeMutableRawPointer, byteCount: Int, root: Int) throws
    /// Returns when every rank has called it.
    func barrier() throws
}

/// One process alone: rank 0 of 1. Every collective leaves its data as it is.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var name: String { "single process" }
    public func allReduce(_ buffer: UnsafeMutableRawPointer, count: Int, dtype: DataType, operation: ReduceOperation) {}
    public func broadcast(_ buffer: UnsafeMutableRawPointer, byteCount: Int, root: Int) throws {
        guard root == 0 else { throw CommunicatorError("root \(root) is not a rank of a group of 1") }
    }
    public func barrier() {}
}

/// A collective that failed: the message says which rank, what and why.
public struct CommunicatorError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The communicator of each ring (Paddle's `ring_id`): ring 0 is every process of the job.
/// Kernels look their ring up once, when a plan is compiled.
public enum CommunicatorRings {
    private static let rings = Mutex<[Int: any Communicator]>([:])

    /// Makes `communicator` serve `ring` for every plan compiled from now on.
    public static func register(_ communicator: any Communicator, ring: Int = 0) {
        rings.withLock { $0[ring] = communicator }
    }

    /// The communicator of `ring`; ring 0 is the single-process one until another is registered.
    public static func communicator(ring: Int) -> (any Communicator)? {
        rings.withLock { $0[ring] } ?? (ring == 0 ? single : nil)
    }

    private static let single = SingleProcessCommunicator()
}
