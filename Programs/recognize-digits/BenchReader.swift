import ArgumentParser
import Fluid
import FluidData
import Foundation
import RecognizeDigits

/// `recognize-digits bench-reader`: the data path of training, timed on its own: one pass over
/// the 60,000 training images through shuffle(500), batch(64) and the feeder.
struct BenchReader: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reader",
        abstract:
            "Time a pass over the training set through shuffle(500), batch(64) and the DataFeeder (build with -c release)."
    )

    @Option(help: "Passes to time.") var passes = 5

    func validate() throws {
        guard passes > 0 else { throw ValidationError("--passes must be positive") }
    }

    func run() throws {
        var train: ImageDataset?
        let loading = try seconds { train = try MNIST.train() }
        guard let train else { return }
        print(String(format: "load MNIST train (%d images, gunzip and checks): %.3f s", train.count, loading))

        let network = try DigitNetwork(.softmax, seed: 1)
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)
        let plain = train.reader.shuffle(bufferSize: 500, seed: 1).batch(size: 64)
        for (name, reader) in [
            ("shuffle(500) + batch(64) + feeder", plain), ("... + buffered(8)", plain.buffered(size: 8)),
        ] {
            var checksum = 0.0
            let times = try (0..<passes).map { _ in
                try seconds {
                    for batch in reader {
                        checksum += Double(try feeder.feed(batch)[network.image.name]?.floatPointer()[0] ?? 0)
                    }
                }
            }.sorted()
            print(
                String(
                    format: "%@: best %.4f s, median %.4f s over %d passes (checksum %.1f)",
                    name, times[0], times[times.count / 2], passes, checksum))
        }
    }

    private func seconds(_ work: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
