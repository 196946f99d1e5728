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
    /// The OpenBLAS library loaded at start-up ("" when none could be: GEMMs then run a plain loop).
    public let blasLibrary: String
    /// Why no OpenBLAS was loaded ("" when one was).
    public let blasError: String
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
            blasLibrary: fluid_blas_library().map { String(cString: $0) } ?? "",
            blasError: fluid_blas_error().map { String(cString: $0) } ?? "",
            blasConfiguration: fluid_blas_config().map { String(cString: $0) } ?? "",
            blasCore: fluid_blas_core().map { String(cString: $0) } ?? "",
            blasThreads: Int(fluid_blas_threads()),
            preferredBLASCore: fluid_preferred_openblas_core().map { String(cString: $0) },
            convolutionEngine: ConvWorkspace.engineDescription)
    }

    public var description: String {
        let preferred =
            preferredBLASCore.map {
                $0.lowercased() == blasCore.lowercased() ? "" : " (set by OPENBLAS_CORETYPE; this CPU's best is \($0))"
            } ?? ""
        let blas =
            blasLibrary.isEmpty
            ? "OpenBLAS not loaded (\(blasError)); GEMMs run a plain loop, slowly"
            : "\(blasLibrary): \(blasConfiguration), kernel \(blasCore)\(preferred), \(blasThreads) thread"
        return """
            cpu: \(cpuModel.isEmpty ? "unknown" : cpuModel), \(cores) cores, vector features: \
            \(vectorFeatures.isEmpty ? "none of avx, avx2, fma, avx512f" : vectorFeatures.joined(separator: " "))
            blas: \(blas)
            kernels: \(kernelThreads) worker thread\(kernelThreads == 1 ? "" : "s") (\(KernelWorkers.environmentVariable) or --threads), \
            large GEMMs split over them
            conv2d: \(convolutionEngine)
            """
    }
}
