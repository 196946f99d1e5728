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
    /// The training and test programs as the executor runs them: with conv, bias and relu
    /// fused (`fusedForExecution`); the saved model and checkpoint come from the originals.
    private let runningMain: Program, runningTest: Program
    public let executor = Executor()
    public let scope = Scope()
    public let trainSet: ImageDataset
    public let testSet: ImageDataset
    /// Batches in one pass over the training images (the last one may be short).
    public let batchesPerEpoch: Int
    /// Epochs already trained: those of the checkpoint when resuming, else 0.
    public private(set) var epochsCompleted = 0
    /// Called after every training step, for a progress display.
    public var onProgress: ((TrainingProgress) -> Void)?
    private var metrics: TrainingMetrics
    private let log: (String) -> Void
    /// The ranks training together (one, unless the process runs in an MPI job). Each takes
    /// its equal share of every batch; rank 0 alone logs, tests and saves.
    public let communicator: any Communicator
    private var isLeader: Bool { communicator.rank == 0 }

    /// Loads the datasets, declares the network and its optimizer, and runs the startup
    /// program (or restores the checkpoint when `options.resume`). With a communicator of
    /// several ranks, the program is rewritten by `DataParallel` and the startup program
    /// broadcasts rank 0's parameters.
    public init(
        _ options: TrainingOptions, communicator: (any Communicator)? = nil,
        log: @escaping (String) -> Void = { print($0) }
    ) throws {
        try options.validate()
        let communicator = communicator ?? SingleProcessCommunicator()
        guard options.batchSize % communicator.size == 0 else {
            throw FluidError.program(
                "Training options: the batch size \(options.batchSize) does not split equally over \(communicator.size) ranks."
            )
        }
        self.options = options
        self.communicator = communicator
        self.log = communicator.rank == 0 ? log : { _ in }
        trainSet = try Self.subset(options.dataset.load(.train, directory: options.dataDirectory), options.trainLimit)
        testSet = try Self.subset(options.dataset.load(.test, directory: options.dataDirectory), options.testLimit)
        batchesPerEpoch = (trainSet.count + options.batchSize - 1) / options.batchSize
        network = try DigitNetwork(options.model, seed: options.seed, dropout: options.dropout)
        testProgram = network.main.clone(forTest: true)
        try options.optimizer(batchesPerEpoch: batchesPerEpoch).minimize(
            network.loss, program: network.main, startup: network.startup)
        if communicator.size > 1 {
            try DataParallel(nranks: communicator.size, bucketBytes: options.bucketBytes)
                .apply(main: network.main, startup: network.startup)
        }
        if options.printPrograms {
            self.log("Training program:\n\(network.main)\nStartup program:\n\(network.startup)")
        }
        let fetched = [network.loss.name, network.accuracy.name]
        runningMain = try network.main.fusedForExecution(fetches: fetched)
        runningTest = try testProgram.fusedForExecution(fetches: fetched)
        try executor.run(network.startup, scope: scope)
        if options.profile { executor.profiler = OpProfiler() }
        metrics = TrainingMetrics(
            model: options.model.rawValue, dataset: options.dataset.rawValue,
            epochs: [], trainSteps: [], bestEpoch: 0)
        if options.resume, let directory = checkpointDirectory { try restore(from: directory) }
    }

    /// The first `limit` images of `dataset` (all when nil).
    private static func subset(_ dataset: ImageDataset, _ limit: Int?) throws -> ImageDataset {
        guard let limit, limit < dataset.count else { return dataset }
        let side = dataset.rows * dataset.columns
        return try ImageDataset(
            name: dataset.name, rows: dataset.rows, columns: dataset.columns,
            pixels: Array(dataset.pixels.prefix(limit * side)), labels: Array(dataset.labels.prefix(limit)))
    }

    /// Where the checkpoint lives: `checkpoint/` in the save directory.
    public var checkpointDirectory: String? { options.saveDirectory.map { $0 + "/checkpoint" } }

    /// Where the inference model goes: the save directory itself (directory layout) or
    /// `MODEL.pdmodel` and `MODEL.pdiparams` in it (combined).
    public var modelPath: String? {
        options.saveDirectory.map { options.layout == .directory ? $0 : $0 + "/" + options.model.rawValue }
    }

    /// The figures so far.
    public var currentMetrics: TrainingMetrics { metrics }

    private func restore(from directory: String) throws {
        guard let data = try Checkpoint.load(program: network.main, into: scope, from: directory) else {
            throw FluidError.file(
                path: directory, message: "holds parameters but no training state (\(Checkpoint.metadataFileName))")
        }
        let state: TrainingCheckpoint
        do { state = try JSONDecoder().decode(TrainingCheckpoint.self, from: data) } catch {
            throw FluidError.file(
                path: directory + "/" + Checkpoint.metadataFileName, message: "is not a valid training state (\(error))"
            )
        }
        try state.checkResumable(with: options, directory: directory)
        epochsCompleted = state.epochsCompleted
        metrics = state.metrics
        log("Resuming from \(directory) after epoch \(epochsCompleted)")
    }

    /// Saves the checkpoint, then the inference model (which keeps the checkpoint beside it).
    private func save() throws {
        guard isLeader, let checkpointDirectory, let modelPath else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let state = TrainingCheckpoint(options, epochsCompleted: epochsCompleted, metrics: metrics)
        try Checkpoint.save(
            program: network.main, scope: scope, to: checkpointDirectory, metadata: try encoder.encode(state))
        try saveInferenceModel(
            to: modelPath, feeding: [network.image], fetching: [network.prediction],
            program: network.main, scope: scope, layout: options.layout)
    }

    /// Trains for `options.epochs` epochs, printing the tutorial's log lines and writing the
    /// metrics file and the plot after each epoch. Returns the metrics.
    @discardableResult
    public func train() throws -> TrainingMetrics {
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)
        // Pass k of the shuffle is epoch k, also when resuming after some epochs.
        let batches = trainSet.reader.shuffle(
            bufferSize: options.shuffleBuffer, seed: options.seed,
            firstPass: epochsCompleted
        )
        .batch(size: options.batchSize).buffered(size: 4)
        // Written now as well, so an unwritable path fails before an epoch of training is spent.
        if isLeader { try writeReports() }
        for epoch in epochsCompleted..<options.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            var costSum = 0.0
            var samples = 0
            var progress = TrainingProgress(epoch: epoch, batches: batchesPerEpoch)
            for (batchID, whole) in batches.enumerated() {
                let batch = share(of: whole)
                try executor.run(runningMain, scope: scope, feed: try feeder.feed(batch))
                let cost = Double(try liveScalar(network.loss.name))
                let step = epoch * batchesPerEpoch + batchID
                if options.stopOnNonFiniteLoss && !cost.isFinite {
                    throw TutorialError(
                        "Training diverged: the loss is \(cost) at pass \(epoch), batch \(batchID) (step \(step)). Try a lower learning rate than \(options.learningRate), e.g. --learning-rate \(options.learningRate / 10)."
                    )
                }
                costSum += cost * Double(batch.count)
                samples += batch.count
                if batchID % options.logInterval == 0 {
                    metrics.trainSteps.append(StepCost(step: step, pass: epoch, batch: batchID, cost: cost))
                    log("Pass \(epoch), Batch \(batchID), Cost \(String(format: "%.6f", cost))")
                }
                if let onProgress, isLeader {
                    progress.record(
                        batch: batchID, images: batch.count, cost: cost,
                        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    onProgress(progress)
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            epochsCompleted = epoch + 1
            guard isLeader else { continue }
            let (testCost, testAccuracy) = try evaluate(testSet, feeder: feeder)
            log("Test with Epoch \(epoch), avg_cost: \(testCost), acc: \(testAccuracy)")
            metrics.epochs.append(
                EpochMetrics(
                    epoch: epoch + 1, trainSeconds: seconds, trainCost: costSum / Double(max(samples, 1)),
                    testCost: testCost, testAccuracy: testAccuracy, steps: (epoch + 1) * batchesPerEpoch))
            metrics.bestEpoch = metrics.best?.epoch ?? 0
            try writeReports()
            try save()
        }
        if let profiler = executor.profiler { log(profiler.report()) }
        if let best = metrics.best {
            // The tutorial's closing lines: the pass (0-based) of lowest test cost, and its accuracy.
            log("Best pass is \(best.epoch - 1), testing Avgcost is \(best.testCost)")
            log("The classification accuracy is \(String(format: "%.2f", best.testAccuracy * 100))%")
        }
        return metrics
    }

    /// This rank's share of a batch: equal contiguous parts in rank order, so the ranks
    /// together take the whole batch, as one process would.
    private func share<T>(of batch: [T]) -> [T] {
        let (rank, size) = (communicator.rank, communicator.size)
        guard size > 1 else { return batch }
        return Array(batch[(rank * batch.count / size)..<((rank + 1) * batch.count / size)])
    }

    /// Mean cost and accuracy over every image of `dataset`, weighted by batch size.
    public func evaluate(_ dataset: ImageDataset, feeder: DataFeeder) throws -> (cost: Double, accuracy: Double) {
        var costSum = 0.0
        var correct = 0.0
        var total = 0
        for batch in dataset.reader.batch(size: options.batchSize) {
            try executor.run(runningTest, scope: scope, feed: try feeder.feed(batch))
            costSum += Double(try liveScalar(network.loss.name)) * Double(batch.count)
            correct += Double(try liveScalar(network.accuracy.name)) * Double(batch.count)
            total += batch.count
        }
        guard total > 0 else { throw TutorialError("\(dataset.name) holds no images to test on.") }
        return (costSum / Double(total), correct / Double(total))
    }

    /// The plot of the figures so far, titled with the model and dataset.
    public var costPlot: CostPlot {
        var plot = CostPlot(title: "Recognize Digits: \(options.model.rawValue) on \(options.dataset.displayName)")
        plot.trainCost = metrics.trainSteps.map { PlotPoint(step: $0.step, cost: $0.cost) }
        plot.testCost = metrics.epochs.map { PlotPoint(step: $0.steps, cost: $0.testCost) }
        return plot
    }

    private func liveScalar(_ name: String) throws -> Float {
        guard let t = executor.liveTensor(name, in: scope), t.count >= 1, t.dtype == .float32 else {
            throw FluidError.missingVariable(name: name, context: "the training program should compute it")
        }
        return try t.scalar(as: Float.self)
    }

    /// The metrics file and the plot, when asked for.
    private func writeReports() throws {
        if let path = options.metricsPath { try write(metrics, to: path) }
        if let path = options.plotPath {
            if path.lowercased().hasSuffix(".svg") {
                try costPlot.writeSVG(to: path)
            } else {
                try costPlot.writePNG(to: path)
            }
        }
    }

    private func write(_ metrics: TrainingMetrics, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(metrics), to: path)  // names the path when it fails
    }
}
