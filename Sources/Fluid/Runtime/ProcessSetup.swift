import CBLAS
import CFluidSupport
import Foundation

/// Process-wide settings a program applies before it computes anything.
public enum ProcessSetup {
    /// Debian's OpenBLAS 0.3.21 does not know newer CPUs and falls back to a generic kernel
    /// several times slower; it reads `OPENBLAS_CORETYPE` once, when the library is loaded at
    /// process start. When the variable is unset and the CPU supports a faster kernel, this sets
    /// it and re-executes the program with the same arguments (it returns only when no re-exec
    /// is needed or possible).
    public static func selectBLASKernel() {
        guard getenv("OPENBLAS_CORETYPE") == nil, let core = fluid_preferred_openblas_core() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: the kernel stays as loaded, results are the same, only slower.
    }

    /// Flushes subnormal floats to zero in the calling thread: Adam's moments decay into
    /// subnormals, which are slow on x86 and change no result that matters.
    public static func flushDenormals() {
        fluid_flush_denormals()
    }

    /// The threads SwiftFluid's kernels and OpenBLAS use: all the process's cores unless
    /// `setThreadCount` set fewer.
    public static var threadCount: Int { KernelWorkers.count }

    /// Limits SwiftFluid's kernels and OpenBLAS to `count` threads (at least 1), for sharing a
    /// machine or measuring scaling. Call it before running programs.
    public static func setThreadCount(_ count: Int) {
        setKernelThreadCount(count)
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Limits SwiftFluid's own kernels only. OpenBLAS must not be reconfigured while another
    /// thread is inside it, so tests that run beside others change only this.
    static func setKernelThreadCount(_ count: Int) {
        KernelWorkers.setLimit(count)
    }
}
