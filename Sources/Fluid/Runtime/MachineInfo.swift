import CBLAS
import CFluidSupport
import Foundation

/// What this process computes on: the CPU and its vector features, the BLAS library and the
/// kernel it chose, the convolution engine and the thread counts (`fluid info` prints it).
public struct MachineInfo: Sendable, CustomStringConvertible {
    /// The CPU's model name, as /proc/cpuinfo gives it ("" when unknown).
    public let cpuModel: String
    /// The vector features among those SwiftFluid's libraries use (avx, avx2, fma, avx512f).
    public let vectorFeatures: [String]
    /// The cores kernels split their work by.
    public let cores: Int
    /// The workers SwiftFluid's kernels run on (`ProcessSetup.setThreadCount`).
    public let kernelThreads: Int
    /// OpenBLAS's build configuration, its chosen core type and its thread count.
    public let blasConfiguration: String
    public let blasCore: String
    public let blasThreads: Int
    /// The core type this CPU should get, or nil when OpenBLAS's own choice stands.
    public let preferredBLASCore: String?
    /// How conv2d and its gradients are computed.
    public let convolutionEngine: String

    /// The facts of the running process.
    public static var current: MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String {
            for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
                return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
                    ?? ""
            }
            return ""
        }
        let flags = Set(field("flags").split(separator: " ").map(String.init))
        return MachineInfo(
            cpuModel: field("model name"), vectorFeatures: ["avx", "avx2", "fma", "avx512f"].filter(flags.contains),
            cores: coreCount, kernelThreads: KernelWorkers.count,
            blasConfiguration: openblas_get_config().map { String(cString: $0) } ?? "",
            blasCore: openblas_get_corename().map { String(cString: $0) } ?? "",
            blasThreads: Int(openblas_get_num_threads()),
            preferredBLASCore: fluid_preferred_openblas_core().map { String(cString: $0) },
            convolutionEngine: "im2col + OpenBLAS sgemm per group, samples in blocks")
    }

    public var description: String {
        let preferred =
            preferredBLASCore.map { $0 == blasCore ? "" : " (this CPU's best: \($0); set OPENBLAS_CORETYPE=\($0))" }
            ?? ""
        return """
            cpu: \(cpuModel.isEmpty ? "unknown" : cpuModel), \(cores) cores, vector features: \
            \(vectorFeatures.isEmpty ? "none of avx, avx2, fma, avx512f" : vectorFeatures.joined(separator: " "))
            blas: \(blasConfiguration), kernel \(blasCore)\(preferred), \(blasThreads) threads
            kernels: \(kernelThreads) worker threads
            conv2d: \(convolutionEngine)
            """
    }
}
