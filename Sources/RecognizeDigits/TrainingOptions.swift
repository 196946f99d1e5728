import Fluid

/// Settings of a tutorial training run (defaults are the tutorial's).
public struct TrainingOptions: Sendable {
    public var model: DigitModel = .cnn
    public var epochs = 5
    public var seed = 90
    public var batchSize = 64
    public var learningRate: Float = 0.001
    /// Size of the shuffle buffer, as `paddle.reader.shuffle(buf_size=500)`.
    public var shuffleBuffer = 500
    /// Log a training line every this many batches.
    public var logInterval = 100
    /// Where the metrics JSON is written after each epoch (nil: nowhere).
    public var metricsPath: String?
    /// Collect and print the time spent per op type.
    public var profile = false
    /// MNIST directory (nil: the default cache).
    public var dataDirectory: String?
    /// Where the inference model is saved after every epoch, with the checkpoint in its
    /// `checkpoint/` subdirectory (nil: nothing is saved).
    public var saveDirectory: String?
    /// The inference model's layout.
    public var layout: ModelLayout = .directory
    /// Continue from the checkpoint in `saveDirectory`; `epochs` is then the total.
    public var resume = false
    /// Train and test on only the first this many images (nil: all), for quick runs.
    public var trainLimit: Int?
    public var testLimit: Int?

    public init() {}

    /// Throws naming the first setting that cannot train.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw FluidError.program("Training options: \(message).") }
        }
        try check(epochs >= 1, "epochs must be at least 1, got \(epochs)")
        try check(seed >= 0, "the seed must be 0 or more, got \(seed)")
        try check(batchSize >= 1 && batchSize <= 60_000, "the batch size must lie in 1...60000, got \(batchSize)")
        try check(learningRate.isFinite && learningRate > 0, "the learning rate must be a positive number, got \(learningRate)")
        try check(shuffleBuffer >= 1, "the shuffle buffer must hold at least 1 sample, got \(shuffleBuffer)")
        try check(logInterval >= 1, "the log interval must be at least 1 batch, got \(logInterval)")
        try check(!resume || saveDirectory != nil, "resuming needs the save directory that holds the checkpoint")
        try check((trainLimit ?? 1) >= 1 && (testLimit ?? 1) >= 1, "image limits must be at least 1")
    }
}

/// Figures of one epoch, as written to the metrics file.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainSeconds: Double
    public var trainCost: Double
    public var testCost: Double
    public var testAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case epoch
        case trainSeconds = "train_seconds"
        case trainCost = "train_cost"
        case testCost = "test_cost"
        case testAccuracy = "test_accuracy"
    }
}

/// The metrics file: `{"model": ..., "epochs": [...], "best_epoch": N}`.
public struct TrainingMetrics: Codable, Sendable, Equatable {
    public var model: String
    public var epochs: [EpochMetrics]
    public var bestEpoch: Int

    enum CodingKeys: String, CodingKey {
        case model, epochs
        case bestEpoch = "best_epoch"
    }
}
