import CFluidSupport
import Foundation
import Synchronization

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, through OpenBLAS.
/// op(A) is m x k, op(B) is k x n, C is m x n; leading dimensions default to packed rows.
///
/// OpenBLAS runs single-threaded; a GEMM large enough to pay for threads is split here into
/// column (or row) panels of C over SwiftFluid's workers. Inside a worker it runs whole, so a
/// kernel that already splits its work over samples gets one single-threaded GEMM per piece.
@inline(__always)
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
    guard m > 0, n > 0 else { return }
    let lda = lda ?? (transA ? m : k)
    let ldb = ldb ?? (transB ? k : n)
    let ldc = ldc ?? n
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    let pieces = GEMMSplit.pieces(m: m, n: n, k: k)
    if pieces == 1 {
        fluid_sgemm(
            transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta,
            c, Int32(ldc))
        return
    }
    let alongColumns = n >= m
    let extent = alongColumns ? n : m
    let panel = GEMMSplit.panel(extent, pieces)
    parallelFor((extent + panel - 1) / panel, work: Int.max) { p in
        let first = p * panel
        let size = min(panel, extent - first)
        if alongColumns {
            fluid_sgemm(
                transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(size), Int32(k), alpha, a, Int32(lda),
                b + (transB ? first * ldb : first), Int32(ldb), beta, c + first, Int32(ldc))
        } else {
            fluid_sgemm(
                transA ? 1 : 0, transB ? 1 : 0, Int32(size), Int32(n), Int32(k), alpha,
                a + (transA ? first : first * lda), Int32(lda), b, Int32(ldb), beta, c + first * ldc, Int32(ldc))
        }
    }
}

/// How a GEMM is cut into panels for the workers. The cut depends on the shape and the core
/// count only, never on the threads allowed, so results never depend on the threads either.
enum GEMMSplit {
    /// Multiply-adds a panel should hold at least (about 0.1 ms of work): below it a thread
    /// costs more than it saves.
    static let minimumWork = 1 << 21
    /// Panels are multiples of this many rows or columns, so OpenBLAS's micro-kernels see full tiles.
    static let alignment = 16

    @inline(__always)
    static func pieces(m: Int, n: Int, k: Int) -> Int {
        guard coreCount > 1, fluid_in_worker() == 0, max(m, n) >= 2 * alignment else { return 1 }
        let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k)
        if work.overflow { return coreCount }
        return max(1, min(coreCount, work.partialValue / minimumWork, max(m, n) / alignment))
    }

    @inline(__always)
    static func panel(_ extent: Int, _ pieces: Int) -> Int {
        let even = (extent + pieces - 1) / pieces
        return (even + alignment - 1) / alignment * alignment
    }
}

/// Runs `body(i)` for i in 0..<count, split over the machine's cores when `work`
/// (a rough count of element operations) is large enough to pay for the threads. Inside a
/// piece of another parallel loop it runs serially: the cores are already busy.
///
/// The pieces run on SwiftFluid's own pool (CFluidSupport's pool.c), whose workers spin
/// between the many short loops of a training step instead of being woken for each one.
@inline(__always)
func parallelFor(_ count: Int, work: Int, _ body: (Int) -> Void) {
    let threads = KernelWorkers.count
    if count > 1 && work >= 1 << 16 && threads > 1 && fluid_in_worker() == 0 {
        // Workers write disjoint ranges chosen by index; the closure is only called, never stored.
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                fluid_parallel_run(
                    count, Int32(min(threads, count)),
                    { context, index in
                        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                    }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    } else {
        for i in 0..<count { body(i) }
    }
}

/// The machine's cores: kernels split their work into pieces by this count, whatever
/// `ProcessSetup.setThreadCount` allows, so results never depend on the threads that run them.
let coreCount = Foundation.ProcessInfo.processInfo.activeProcessorCount

/// The workers `parallelFor` runs pieces on, SwiftFluid's one pool of kernel threads: the
/// machine's cores, unless `FLUID_NUM_THREADS` or `ProcessSetup.setThreadCount` says fewer.
enum KernelWorkers {
    /// The environment variable that sets the default worker count.
    static let environmentVariable = "FLUID_NUM_THREADS"

    private static let limit = Atomic<Int>(0)
    private static let fromEnvironment: Int? = {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable] else { return nil }
        guard let value = Int(text), value > 0 else {
            let warning =
                "warning: \(environmentVariable)='\(text)' is not a positive integer; using \(coreCount) threads\n"
            FileHandle.standardError.write(Data(warning.utf8))
            return nil
        }
        return value
    }()

    static var count: Int {
        let set = limit.load(ordering: .relaxed)
        return set > 0 ? set : fromEnvironment ?? coreCount
    }

    static func setLimit(_ count: Int) { limit.store(max(1, count), ordering: .relaxed) }
}
