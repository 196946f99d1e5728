import CMPIShim
import Fluid
import Foundation
import Synchronization

/// Every process of an MPI job (MPI_COMM_WORLD) as SwiftFluid's ring 0.
///
/// ```swift
/// let world = try MPICommunicator.startIfLaunched()   // nil when not run by mpirun
/// print("rank \(world?.rank ?? 0) of \(world?.size ?? 1)")
/// ```
///
/// Collectives are MPI's non-blocking calls, tested until they complete or `timeout` seconds
/// pass: a rank whose peer died or never reached the same op gets an error instead of hanging.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let name: String
    /// Seconds a collective may wait for the other ranks (`FLUID_COLLECTIVE_TIMEOUT`, default 300).
    public let timeout: Double

    private init(rank: Int, size: Int, name: String, timeout: Double) {
        self.rank = rank
        self.size = size
        self.name = name
        self.timeout = timeout
    }

    /// Whether an MPI launcher (Open MPI's mpirun, or another PMI-based one) started this
    /// process. Only whether to start MPI is read from the environment; rank and size come
    /// from MPI itself.
    public static var isLaunched: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { environment[$0] != nil }
    }

    /// Starts MPI and registers the communicator as ring 0 when the process was launched by
    /// MPI; returns nil (ring 0 stays the single-process communicator) when it was not.
    @discardableResult
    public static func startIfLaunched() throws -> MPICommunicator? {
        guard isLaunched else { return nil }
        return try start()
    }

    /// Starts MPI (once per process) and registers the communicator as ring 0.
    public static func start() throws -> MPICommunicator {
        if let running = started.withLock({ $0 }) { return running }
        var rank: Int32 = 0
        var size: Int32 = 0
        try call("starting MPI") { fluid_mpi_start(&rank, &size, $0, $1) }
        var library = [CChar](repeating: 0, count: 256)
        fluid_mpi_library(&library, Int32(library.count))
        let communicator = MPICommunicator(
            rank: Int(rank), size: Int(size), name: "MPI (\(text(library)))", timeout: configuredTimeout())
        started.withLock { $0 = communicator }
        CommunicatorRings.register(communicator, ring: 0)
        // A normal exit finalises MPI; a failing rank calls `abortJob` instead, since
        // MPI_Finalize would wait for ranks that are still inside a collective.
        atexit { fluid_mpi_finish() }
        return communicator
    }

    private static let started = Mutex<MPICommunicator?>(nil)

    /// The communicator `start` made, if MPI was started in this process.
    public static var running: MPICommunicator? { started.withLock { $0 } }

    static func configuredTimeout() -> Double {
        guard let text = ProcessInfo.processInfo.environment["FLUID_COLLECTIVE_TIMEOUT"] else { return 300 }
        guard let seconds = Double(text), seconds > 0 else {
            FileHandle.standardError.write(
                Data("warning: FLUID_COLLECTIVE_TIMEOUT=\(text) is not a positive number of seconds; using 300\n".utf8))
            return 300
        }
        return seconds
    }

    public func allReduce(
        _ buffer: UnsafeMutableRawPointer, count: Int, dtype: DataType, operation: ReduceOperation
    ) throws {
        let code: Int32 =
            switch operation {
            case .sum: 0
            case .max: 1
            case .min: 2
            case .prod: 3
            }
        try Self.call("allreduce") { fluid_mpi_allreduce(buffer, count, dtype.rawValue, code, timeout, $0, $1) }
    }

    public func broadcast(_ buffer: UnsafeMutableRawPointer, byteCount: Int, root: Int) throws {
        try Self.call("broadcast") { fluid_mpi_broadcast(buffer, byteCount, Int32(root), timeout, $0, $1) }
    }

    public func barrier() throws {
        try Self.call("barrier") { fluid_mpi_barrier(timeout, $0, $1) }
    }

    /// Ends every rank of the job at once (MPI_Abort), after writing `message` to standard
    /// error with this rank's number: what a rank that failed does, so that no other rank waits
    /// for it in a collective.
    public func abortJob(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(size): \(message)\n".utf8))
        fluid_mpi_abort(code)
        exit(code)
    }

    /// The text of a NUL-terminated C buffer.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs a shim call that writes its error message into a buffer.
    private static func call(_ what: String, _ body: (UnsafeMutablePointer<CChar>, Int32) -> Int32) throws {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, Int32($0.count)) }
        guard status == 0 else { throw CommunicatorError(text(message)) }
    }
}
