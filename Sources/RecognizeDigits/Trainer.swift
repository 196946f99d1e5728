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
    /// Epochs already trained: those of the checkpoint when resuming, else 0.
    public private(set) var epochsCompleted = 0
    private var metrics: TrainingMetrics
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
        metrics = TrainingMetrics(model: options.model.rawValue, epochs: [], bestEpoch: 0)
        if options.resume, let directory = checkpointDirectory { try restore(from: directory) }
    }

    /// Where the checkpoint lives: `checkpoint/` in the save directory.
    public var checkpointDirectory: String? { options.saveDirectory.map { $0 + "/checkpoint" } }

    /// Where the inference model goes: the save directory itself (directory layout) or
    /// `MODEL.pdmodel` and `MODEL.pdiparams` in it (combined).
    public var modelPath: String? {
        options.saveDirectory.map { options.layout == .directory ? $0 : $0 + "/" + options.model.rawValue }
    }

    private func restore(from directory: String) throws {
        guard let data = try Checkpoint.load(program: network.main, into: scope, from: directory) else {
            throw FluidError.file(path: directory, message: "holds parameters but no training state (\(Checkpoint.metadataFileName))")
        }
        let state: TrainingCheckpoint
        do { state = try JSONDecoder().decode(TrainingCheckpoint.self, from: data) } catch {
            throw FluidError.file(path: directory + "/" + Checkpoint.metadataFileName, message: "is not a valid training state (\(error))")
        }
        try state.checkResumable(with: options, directory: directory)
        epochsCompleted = state.epochsCompleted
        metrics = state.metrics
        log("Resuming from \(directory) after epoch \(epochsCompleted)")
    }

    /// Saves the checkpoint, then the inference model (which keeps the checkpoint beside it).
    private func save() throws {
        guard let checkpointDirectory, let modelPath else { return }
        let state = TrainingCheckpoint(model: options.model.rawValue, seed: options.seed, batchSize: options.batchSize,
                                       learningRate: options.learningRate, shuffleBuffer: options.shuffleBuffer,
                                       epochsCompleted: epochsCompleted, metrics: metrics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Checkpoint.save(program: network.main, scope: scope, to: checkpointDirectory, metadata: try encoder.encode(state))
        try saveInferenceModel(to: modelPath, feeds: [network.image.name], fetches: [network.prediction.name],
                               program: network.main, scope: scope, layout: options.layout)
    }

    /// Trains for `options.epochs` epochs, printing the tutorial's log lines and writing the
    /// metrics file after each epoch. Returns the metrics.
    @discardableResult
    public func train() throws -> TrainingMetrics {
        let train = try MNIST.train(directory: options.dataDirectory)
        let test = try MNIST.test(directory: options.dataDirectory)
        let feeder = try DataFeeder(feedList: [network.image.name, network.label.name], program: network.main)
        let trainImages = options.trainLimit.map { train.reader.firstN($0) } ?? train.reader
        // Pass k of the shuffle is epoch k, also when resuming after some epochs.
        let batches = trainImages.shuffle(bufferSize: options.shuffleBuffer, seed: UInt64(bitPattern: Int64(options.seed)),
                                          firstPass: UInt64(epochsCompleted))
            .batch(size: options.batchSize).buffered(size: 4)
        // Written now as well, so an unwritable path fails before an epoch of training is spent.
        if let path = options.metricsPath { try write(metrics, to: path) }
        for epoch in epochsCompleted..<options.epochs {
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
            epochsCompleted = epoch + 1
            if let path = options.metricsPath { try write(metrics, to: path) }
            try save()
        }
        if let profiler = executor.profiler { log(profiler.report()) }
        return metrics
    }

    /// Mean cost and accuracy over every image of `dataset`, weighted by batch size.
    public func evaluate(_ dataset: ImageDataset, feeder: DataFeeder) throws -> (cost: Double, accuracy: Double) {
        var costSum = 0.0, correct = 0.0, total = 0
        let images = options.testLimit.map { dataset.reader.firstN($0) } ?? dataset.reader
        for batch in images.batch(size: options.batchSize) {
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
