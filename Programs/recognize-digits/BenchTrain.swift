import ArgumentParser
import Fluid
import FluidData
import Foundation
import RecognizeDigits

/// `recognize-digits bench-train`: the compute of one training epoch, timed apart from data
/// loading and testing, to compare with other frameworks (Tools/bench runs the same work in
/// PaddlePaddle, PyTorch and JAX).
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Time the training steps of one epoch on preloaded MNIST batches (build with -c release).",
        discussion: """
            The tutorial's settings: the network the trainer builds, Adam at 1e-3, batches of 64 in one fixed \
            shuffled order of the 60,000 training images. All feed tensors are built before the clock starts, and \
            one warm-up step per batch shape (64, and the last batch's 32 when the timed steps reach it) compiles \
            the plans untimed. Step i trains on batch i mod 938. Prints the seconds of the timed steps, ms per \
            step, the last step's loss and the peak RSS; no testing.
            """)

    @Option(help: "softmax, mlp or cnn.") var model: DigitModel = .cnn
    @Option(parsing: .unconditional, help: "Timed training steps (default: one epoch, 938).") var steps: Int?
    @Option(
        parsing: .unconditional,
        help: "Threads for the kernels, GEMMs included (default: FLUID_NUM_THREADS, else all cores).")
    var threads: Int?
    @Option(parsing: .unconditional, help: "random_seed of the programs and seed of the batch order.") var seed = 90
    @Option(help: "Save the inference model (directory layout) here after the timed steps.") var saveModel: String?
    @Option(help: "MNIST directory (default: the cache).") var dataDir: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard seed >= 0 else { throw ValidationError("--seed must be 0 or more, got \(seed)") }
    }

    func run() throws {
        if let threads { ProcessSetup.setThreadCount(threads) }
        var options = TrainingOptions()
        options.model = model
        options.seed = seed
        let train = try MNIST.train(directory: dataDir)
        let network = try DigitNetwork(model, seed: seed)
        let batches = try Self.preloadedBatches(train, network: network, batchSize: options.batchSize, seed: seed)
        try options.optimizer(batchesPerEpoch: batches.count).minimize(
            network.loss, program: network.main, startup: network.startup)
        let executor = Executor()
        let scope = Scope()
        try executor.run(network.startup, scope: scope)
        // What the trainer runs: conv, bias and relu fused.
        let running = try network.main.fusedForExecution(fetches: [network.loss.name])

        let timedSteps = steps ?? batches.count
        for index in Self.warmupBatches(steps: timedSteps, batches: batches) {
            try executor.run(running, scope: scope, feed: batches[index])
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for step in 0..<timedSteps {
            try executor.run(running, scope: scope, feed: batches[step % batches.count])
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let loss = executor.liveTensor(network.loss.name, in: scope) else {
            throw FluidError.missingVariable(name: network.loss.name, context: "the training program should compute it")
        }
        if let saveModel {
            try saveInferenceModel(
                to: saveModel, feeding: [network.image], fetching: [network.prediction], program: network.main,
                scope: scope)
        }
        let result = BenchTrainResult(
            model: model.rawValue, batchSize: options.batchSize, steps: timedSteps,
            warmupSteps: Self.warmupBatches(steps: timedSteps, batches: batches).count,
            threads: ProcessSetup.threadCount, seconds: seconds, finalLoss: Double(try loss.scalar(as: Float.self)),
            peakRSSMegabytes: peakRSSMegabytes(), savedModel: saveModel)
        print(json ? try result.jsonText() : result.text)
    }

    /// Every batch of one pass over `dataset` in one shuffled order, as feed tensors of their own.
    static func preloadedBatches(_ dataset: ImageDataset, network: DigitNetwork, batchSize: Int, seed: Int) throws
        -> [[String: Tensor]]
    {
        var order = Array(0..<dataset.count)
        var generator = SeededGenerator(seed: seed)
        generator.shuffle(&order)
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)
        return try stride(from: 0, to: order.count, by: batchSize).map { first in
            let samples = try order[first..<min(first + batchSize, order.count)].map { try dataset[$0] }
            // The feeder reuses its tensors from call to call, so each batch keeps copies.
            return try feeder.feed(samples).mapValues { $0.clone() }
        }
    }

    /// The batches of the warm-up steps: the first, and the last too when it is short and the
    /// timed steps reach it, so that no plan is compiled inside the timed loop.
    static func warmupBatches(steps: Int, batches: [[String: Tensor]]) -> [Int] {
        guard let first = batches.first?.values.first, let last = batches.last?.values.first else { return [] }
        let lastIsShort = last.shape.first != first.shape.first
        return steps >= batches.count && lastIsShort ? [0, batches.count - 1] : [0]
    }
}

/// What `bench-train` reports; the JSON keys are those of Tools/bench-peers' scripts.
struct BenchTrainResult: Encodable {
    let model: String
    let batchSize: Int
    let steps: Int
    let warmupSteps: Int
    let threads: Int
    let seconds: Double
    let finalLoss: Double
    let peakRSSMegabytes: Double
    let savedModel: String?

    var framework: String { "swiftfluid" }
    var mode: String { "train" }
    var millisecondsPerStep: Double { seconds * 1000 / Double(steps) }

    var text: String {
        String(
            format:
                "%@: %d steps of batch %d in %.3f s (%.2f ms/step; %d warm-up steps, %d threads), final loss %.6f, peak RSS %.1f MB",
            model, steps, batchSize, seconds, millisecondsPerStep, warmupSteps, threads, finalLoss, peakRSSMegabytes)
            + (savedModel.map { "\nInference model saved to \($0)." } ?? "")
    }

    enum CodingKeys: String, CodingKey {
        case framework, mode, model, steps, threads, seconds
        case batchSize = "batch_size"
        case warmupSteps = "warmup_steps"
        case millisecondsPerStep = "ms_per_step"
        case finalLoss = "final_loss"
        case peakRSSMegabytes = "peak_rss_mb"
        case savedModel = "saved_model"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(framework, forKey: .framework)
        try c.encode(mode, forKey: .mode)
        try c.encode(model, forKey: .model)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(steps, forKey: .steps)
        try c.encode(warmupSteps, forKey: .warmupSteps)
        try c.encode(threads, forKey: .threads)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(millisecondsPerStep, forKey: .millisecondsPerStep)
        try c.encode(finalLoss, forKey: .finalLoss)
        try c.encode(peakRSSMegabytes, forKey: .peakRSSMegabytes)
        try c.encodeIfPresent(savedModel, forKey: .savedModel)
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The process's peak resident set so far, in MB (Linux reports ru_maxrss in KiB).
private func peakRSSMegabytes() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    return Double(usage.ru_maxrss) / 1024
}
