import ArgumentParser
import Fluid

/// `fluid info`: the CPU, BLAS kernel, convolution engine and thread counts this process uses.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the CPU and its vector features, the BLAS library and kernel, the conv engine and the threads."
    )

    func run() throws { print(MachineInfo.current) }
}
