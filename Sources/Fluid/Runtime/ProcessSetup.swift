import CFluidSupport

/// Process-wide settings a program may apply before it computes anything.
///
/// Nothing here is required: OpenBLAS is loaded with the kernel that suits the CPU when the
/// program starts (see MachineInfo), and kernels use all cores unless `FLUID_NUM_THREADS` says
/// otherwise.
public enum ProcessSetup {
    /// Flushes subnormal floats to zero in the calling thread: Adam's moments decay into
    /// subnormals, which are slow on x86 and change no result that matters. Kernel threads
    /// and executor runs do it themselves.
    public static func flushDenormals() {
        fluid_flush_denormals()
    }

    /// The threads SwiftFluid's kernels run on: all the process's cores unless
    /// `FLUID_NUM_THREADS` or `setThreadCount` set fewer. OpenBLAS itself stays single-threaded;
    /// large GEMMs are split over these threads.
    public static var threadCount: Int { KernelWorkers.count }

    /// Limits SwiftFluid's kernels (GEMMs included) to `count` threads (at least 1), for sharing
    /// a machine or measuring scaling. Results do not depend on it.
    public static func setThreadCount(_ count: Int) {
        KernelWorkers.setLimit(count)
    }
}
