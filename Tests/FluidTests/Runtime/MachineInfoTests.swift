import Foundation
import Testing

@testable import Fluid

@Suite struct MachineInfoTests {
    @Test func describesTheRunningProcess() {
        let info = MachineInfo.current
        #expect(info.cores == ProcessInfo.processInfo.activeProcessorCount)
        #expect(info.blasLibrary.contains("libopenblas") && info.blasError.isEmpty)
        #expect(info.blasConfiguration.contains("OpenBLAS") && !info.blasCore.isEmpty)
        // OpenBLAS stays single-threaded: large GEMMs are split over SwiftFluid's workers.
        #expect(info.blasThreads == 1)
        #expect(info.blasThreads >= 1 && info.kernelThreads >= 1)
        #expect(info.description.contains("kernel \(info.blasCore)"))
    }

    /// The library was loaded with the kernel this CPU should get (unless OPENBLAS_CORETYPE
    /// chose another), though nothing in this test process asked for it.
    @Test func loadedTheFastKernelWithoutBeingAsked() throws {
        let info = MachineInfo.current
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let preferred = info.preferredBLASCore
        else { return }
        #expect(info.blasCore.lowercased() == preferred.lowercased())
    }

    /// Whatever kernel OpenBLAS chose for this CPU computes sgemm right: an odd-sized product
    /// (every transpose) against a naive one in Double.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func theChosenBLASKernelMultipliesCorrectly(transA: Bool, transB: Bool) {
        let (m, n, k) = (97, 203, 131)
        var rng = SeededGenerator(seed: 11)
        let a = (0..<(m * k)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let b = (0..<(k * n)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        var c = [Float](repeating: 0, count: m * n)
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: &c)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * m + i] : a[i * k + p]
                    let y = transB ? b[j * k + p] : b[p * n + j]
                    s += Double(x) * Double(y)
                }
                worst = max(worst, abs(Double(c[i * n + j]) - s))
            }
        }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    /// The panels a large GEMM is split into, along columns (n >= m) or rows, with leading
    /// dimensions wider than the matrices and beta = 1: C = A * B + C against Double.
    @Test(arguments: [(40, 1000, 200), (1000, 40, 200), (33, 35, 4000)])
    func splitGEMMsMatchAReference(m: Int, n: Int, k: Int) {
        let (lda, ldb, ldc) = (k + 3, n + 5, n + 7)
        var rng = SeededGenerator(seed: m * 7 + n)
        let a = (0..<(m * lda)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let b = (0..<(k * ldb)).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let c0 = (0..<(m * ldc)).map { _ in Float(rng.nextUnit()) }
        var c = c0
        if coreCount > 1 { #expect(GEMMSplit.pieces(m: m, n: n, k: k) > 1) }
        sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: 1, c: &c, ldc: ldc)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                var s = Double(c0[i * ldc + j])
                if j < n { for p in 0..<k { s += Double(a[i * lda + p]) * Double(b[p * ldb + j]) } }
                worst = max(worst, abs(Double(c[i * ldc + j]) - s))
            }
        }
        #expect(worst < 1e-3, "largest difference \(worst)")
    }
}
