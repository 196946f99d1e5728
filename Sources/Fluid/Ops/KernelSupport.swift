import CBLAS
import CFluidSupport
import Dispatch
import Foundation
import Synchronization

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, through OpenBLAS.
/// op(A) is m x k, op(B) is k x n, C is m x n; leading dimensions default to packed rows.
@inline(__always)
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * (ldc ?? n)).update(repeating: 0, count: n) } }
        return
    }
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(lda ?? (transA ? m : k)), b, Int32(ldb ?? (transB ? k : n)),
        beta, c, Int32(ldc ?? n))
}

/// Runs `body(i)` for i in 0..<count, split over the machine's cores when `work`
/// (a rough count of element operations) is large enough to pay for the threads.
@inline(__always)
func parallelFor(_ count: Int, work: Int, _ body: (Int) -> Void) {
    let threads = KernelWorkers.count
    if count > 1 && work >= 1 << 16 && threads > 1 {
        // Workers write disjoint ranges chosen by index; the closure itself is not shared state.
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            if threads >= coreCount {
                DispatchQueue.concurrentPerform(iterations: count) {
                    fluid_flush_denormals()
                    shared.value($0)
                }
            } else {
                // Fewer workers than cores: each takes every threads-th piece.
                DispatchQueue.concurrentPerform(iterations: min(threads, count)) { worker in
                    fluid_flush_denormals()
                    for i in stride(from: worker, to: count, by: threads) { shared.value(i) }
                }
            }
        }
    } else {
        for i in 0..<count { body(i) }
    }
}

/// A value handed to worker threads that only touch disjoint parts of what it points to.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The machine's cores: kernels split their work into pieces by this count, whatever
/// `ProcessSetup.setThreadCount` allows, so results never depend on the threads that run them.
let coreCount = Foundation.ProcessInfo.processInfo.activeProcessorCount

/// The workers `parallelFor` runs pieces on: the machine's cores unless limited (by
/// `ProcessSetup.setThreadCount`).
enum KernelWorkers {
    private static let limit = Atomic<Int>(0)

    static var count: Int {
        let set = limit.load(ordering: .relaxed)
        return set > 0 ? set : coreCount
    }

    static func setLimit(_ count: Int) { limit.store(max(1, count), ordering: .relaxed) }
}
