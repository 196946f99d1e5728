// Times the data path of training: one full pass over the 60,000 MNIST training images
// through shuffle(bufferSize: 500), batch(size: 64) and the DataFeeder.
// Run in release: `swift run -c release data-bench [REPEATS]`.
import Fluid
import FluidData
import Foundation

func seconds(_ work: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try work()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

do {
    let repeats = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 5
    var train: ImageDataset?
    let loading = try seconds { train = try MNIST.train() }
    guard let train else { exit(1) }
    print(String(format: "load MNIST train (%d images, gunzip + checks): %.3f s", train.count, loading))

    let program = Program()
    program.globalBlock.addVar(VarDesc(name: "img", dtype: .float32, shape: [-1, 1, 28, 28]))
    program.globalBlock.addVar(VarDesc(name: "label", dtype: .int64, shape: [-1, 1]))
    let feeder = try DataFeeder(feedList: ["img", "label"], program: program)

    for (name, reader) in [
        ("shuffle(500) + batch(64) + feeder", train.reader.shuffle(bufferSize: 500, seed: 1).batch(size: 64)),
        ("shuffle(500) + batch(64) + buffered(8) + feeder",
         train.reader.shuffle(bufferSize: 500, seed: 1).batch(size: 64).buffered(size: 8)),
    ] {
        var times: [Double] = []
        var checksum = 0.0
        for _ in 0..<repeats {
            times.append(try seconds {
                for batch in reader {
                    let feed = try feeder.feed(batch)
                    if let image = feed["img"] { checksum += Double(image.floats[0]) }
                }
            })
        }
        times.sort()
        var readerOnly: [Double] = []
        for _ in 0..<repeats {
            readerOnly.append(seconds { for batch in reader { checksum += Double(batch.count) } })
        }
        readerOnly.sort()
        print(String(format: "  reader alone: best %.4f s", readerOnly[0]))
        print(String(format: "%@: best %.4f s, median %.4f s over %d passes (checksum %.1f)",
                     name, times[0], times[times.count / 2], repeats, checksum))
    }
} catch {
    FileHandle.standardError.write(Data("data-bench: \(error)\n".utf8))
    exit(1)
}
