import Fluid
import FluidData
import Foundation

/// The tutorial's training loop: Adam on the network's mean cross entropy, a pass over the
/// shuffled training set per epoch, then the test set through the test clone.
public final class Trainer {
    public let options: TrainingOptions
    public let network: DigitNetwork
    /// The forward-only clone, taken before `minimize` as the tutorial does.
    public let testProgram: Program
    public let executor = Executor()
    public let scope = Scope()
    private let log: (String) -> Void

    public init(_ options: TrainingOptions, log: @escaping (String) -> Void = { print($0) }) throws {
        try options.validate()
        self.options = options
        self.log = log
        network = try DigitNetwork(options.model, seed: options.seed)
        testProgram = network.main.clone(forTest: true)
        try Adam(learningRate: options.learningRate).minimize(network.loss, program: network.main, startup: network.startup)
        try executor.run(network.startup, scope: scope)
        if options.profile { executor.profiler = OpProfiler() }
    }

    /// Trains for `options.epochs` epochs, printing the tutorial's log lines and writing the
    /// metrics file after each epoch. Returns the metrics.
    @discardableResult
    public func train() throws -> TrainingMetrics {
        let train = try MNIST.train(directory: options.dataDirectory)
        let test = try MNIST.test(directory: options.dataDirectory)
        let feeder = try DataFeeder(feedList: [network.image.name, network.label.name], program: network.main)
        let batches = train.reader.shuffle(bufferSize: options.shuffleBuffer, seed: UInt64(bitPattern: Int64(options.seed)))
            .batch(size: options.batchSize).buffered(size: 4)
        var metrics = TrainingMetrics(model: options.model.rawValue, epochs: [], bestEpoch: 0)
        // Written now as well, so an unwritable path fails before an epoch of training is spent.
        if let path = options.metricsPath { try write(metrics, to: path) }
        for epoch in 0..<options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            var costSum = 0.0, samples = 0
            for (batchID, batch) in batches.enumerated() {
                try executor.run(network.main, scope: scope, feed: try feeder.feed(batch))
                let cost = Double(try liveScalar(network.loss.name))
                costSum += cost * Double(batch.count)
                samples += batch.count
                if batchID % options.logInterval == 0 {
                    log("Pass \(epoch), Batch \(batchID), Cost \(String(format: "%.6f", cost))")
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let (testCost, testAccuracy) = try evaluate(test, feeder: feeder)
            log("Test with Epoch \(epoch), avg_cost: \(testCost), acc: \(testAccuracy)")
            metrics.epochs.append(EpochMetrics(epoch: epoch + 1, trainSeconds: seconds, trainCost: costSum / Double(max(samples, 1)),
                                               testCost: testCost, testAccuracy: testAccuracy))
            metrics.bestEpoch = metrics.epochs.max { $0.testAccuracy < $1.testAccuracy }?.epoch ?? 0
            if let path = options.metricsPath { try write(metrics, to: path) }
        }
        if let profiler = executor.profiler { log(profiler.report()) }
        return metrics
    }

    /// Mean cost and accuracy over every image of `dataset`, weighted by batch size.
    public func evaluate(_ dataset: ImageDataset, feeder: DataFeeder) throws -> (cost: Double, accuracy: Double) {
        var costSum = 0.0, correct = 0.0, total = 0
        for batch in dataset.reader.batch(size: options.batchSize) {
            try executor.run(testProgram, scope: scope, feed: try feeder.feed(batch))
            costSum += Double(try liveScalar(network.loss.name)) * Double(batch.count)
            correct += Double(try liveScalar(network.accuracy.name)) * Double(batch.count)
            total += batch.count
        }
        return (costSum / Double(max(total, 1)), correct / Double(max(total, 1)))
    }

    private func liveScalar(_ name: String) throws -> Float {
        guard let t = executor.liveTensor(name, in: scope), t.count >= 1, t.dtype == .float32 else {
            throw FluidError.missingVariable(name: name, context: "the training program should compute it")
        }
        return t.floats[0]
    }

    private func write(_ metrics: TrainingMetrics, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(metrics).write(to: url, options: .atomic)   // temporary file, then rename
        } catch {
            throw FluidError.file(path: path, message: "cannot be written (\(error.localizedDescription))")
        }
    }
}
