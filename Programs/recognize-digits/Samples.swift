import ArgumentParser
import FluidData

/// `recognize-digits samples`: real MNIST test digits as PNG files, for trying recognition.
struct Samples: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write real MNIST test digits as PNG files (infer_0.png ... infer_9.png: the first test image of each digit)."
    )

    @Option(help: "Directory to write into.") var outputDir = "."
    @Option(help: "How many digits (at most 10: one per class).") var count = 10

    func validate() throws {
        guard (1...10).contains(count) else { throw ValidationError("--count must lie in 1...10") }
    }

    func run() throws {
        for path in try writeSampleDigits(to: outputDir, count: count) { print("wrote \(path)") }
    }
}
