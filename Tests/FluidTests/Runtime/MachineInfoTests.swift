import Foundation
import Testing

@testable import Fluid

@Suite struct MachineInfoTests {
    @Test func describesTheRunningProcess() {
        let info = MachineInfo.current
        #expect(info.cores == ProcessInfo.processInfo.activeProcessorCount)
        #expect(info.blasConfiguration.contains("OpenBLAS") && !info.blasCore.isEmpty)
        #expect(info.blasThreads >= 1 && info.kernelThreads >= 1)
        #expect(info.description.contains("kernel \(info.blasCore)"))
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
}
