import Fluid

/// Settings of a tutorial training run (defaults are the tutorial's).
public struct TrainingOptions: Sendable {
    public var model: DigitModel = .cnn
    public var dataset: DigitDataset = .mnist
    public var epochs = 5
    public var seed = 90
    public var batchSize = 64
    public var learningRate: Float = 0.001
    /// How the learning rate changes over the run (the tutorial keeps it constant).
    public var schedule: ScheduleKind = .constant
    /// The per-epoch factor of the exponential schedule.
    public var decayRate: Float = 0.5
    /// L2 weight decay on every parameter (0: none, the tutorial's).
    public var weightDecay: Float = 0
    /// Dropout probability before each fully connected layer after the first (0: no dropout op).
    public var dropout: Float = 0
    /// Size of the shuffle buffer, as `paddle.reader.shuffle(buf_size=500)`.
    public var shuffleBuffer = 500
    /// Log a training line every this many batches.
    public var logInterval = 100
    /// Where the metrics JSON is written after each epoch (nil: nowhere).
    public var metricsPath: String?
    /// Collect and print the time spent per op type.
    public var profile = false
    /// Stop with an error as soon as the training loss is NaN or infinite.
    public var stopOnNonFiniteLoss = true
    /// Where the plot of train and test cost is written (PNG) after every epoch (nil: nowhere).
    public var plotPath: String?
    /// The dataset's directory (nil: its default one).
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
    /// Gradient bytes per fused allreduce when training over several ranks (`DataParallel`);
    /// 0 for one allreduce per gradient.
    public var bucketBytes = DataParallel.defaultBucketBytes
    /// Print the training and startup programs as they run (after any data-parallel rewrite).
    public var printPrograms = false

    public init() {}

    /// Throws naming the first setting that cannot train.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw FluidError.program("Training options: \(message).") }
        }
        try check(epochs >= 1, "epochs must be at least 1, got \(epochs)")
        try check(seed >= 0, "the seed must be 0 or more, got \(seed)")
        try check(batchSize >= 1 && batchSize <= 60_000, "the batch size must lie in 1...60000, got \(batchSize)")
        try check(
            learningRate.isFinite && learningRate > 0,
            "the learning rate must be a positive number, got \(learningRate)")
        try check(
            decayRate.isFinite && decayRate > 0 && decayRate <= 1, "the decay rate must lie in (0, 1], got \(decayRate)"
        )
        try check(weightDecay.isFinite && weightDecay >= 0, "the weight decay must be 0 or more, got \(weightDecay)")
        try check(
            dropout.isFinite && dropout >= 0 && dropout < 1,
            "the dropout probability must lie in [0, 1), got \(dropout)")
        try check(shuffleBuffer >= 1, "the shuffle buffer must hold at least 1 sample, got \(shuffleBuffer)")
        try check(logInterval >= 1, "the log interval must be at least 1 batch, got \(logInterval)")
        try check(
            dataDirectory.map { !$0.isEmpty } ?? true,
            "the data directory is an empty string; name a directory or leave it out for the default")
        try check(saveDirectory.map { !$0.isEmpty } ?? true, "the save directory is an empty string; name a directory")
        try check(!resume || saveDirectory != nil, "resuming needs the save directory that holds the checkpoint")
        try check((trainLimit ?? 1) >= 1 && (testLimit ?? 1) >= 1, "image limits must be at least 1")
        try check(bucketBytes >= 0, "the allreduce bucket size must be 0 or more bytes, got \(bucketBytes)")
    }
}

extension TrainingOptions {
    /// Adam at the options' rate, with their schedule (over `epochs` of `batchesPerEpoch` steps)
    /// and weight decay.
    public func optimizer(batchesPerEpoch: Int) -> Adam {
        let rateSchedule: LearningRateSchedule? =
            switch schedule {
            case .constant: nil
            case .cosine: .cosine(stepsPerEpoch: batchesPerEpoch, epochs: epochs)
            case .exponential: .exponential(decaySteps: batchesPerEpoch, decayRate: decayRate, staircase: true)
            }
        return Adam(
            learningRate: learningRate, regularization: weightDecay > 0 ? .l2(weightDecay) : nil, schedule: rateSchedule
        )
    }
}

/// The learning-rate schedules the program offers, over the whole run.
public enum ScheduleKind: String, CaseIterable, Sendable, Codable {
    /// The base rate throughout, as the tutorial.
    case constant
    /// Cosine decay per epoch from the base rate towards 0 at the end of the last epoch.
    case cosine
    /// The base rate times `decayRate` after every epoch.
    case exponential
}

/// A logged training step: its global step (0-based), pass, batch and cost.
public struct StepCost: Codable, Sendable, Equatable {
    public var step: Int
    public var pass: Int
    public var batch: Int
    public var cost: Double
}

/// Figures of one epoch, as written to the metrics file.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainSeconds: Double
    public var trainCost: Double
    public var testCost: Double
    public var testAccuracy: Double
    /// Training steps done when this epoch ended.
    public var steps: Int

    enum CodingKeys: String, CodingKey {
        case epoch, steps
        case trainSeconds = "train_seconds"
        case trainCost = "train_cost"
        case testCost = "test_cost"
        case testAccuracy = "test_accuracy"
    }
}

/// The metrics file: `{"model": ..., "dataset": ..., "epochs": [...], "train_steps": [...], "best_epoch": N}`.
public struct TrainingMetrics: Codable, Sendable, Equatable {
    public var model: String
    public var dataset: String
    public var epochs: [EpochMetrics]
    /// Every logged training step (one every `logInterval` batches).
    public var trainSteps: [StepCost]
    /// The tutorial's best pass: the epoch (1-based) with the lowest test cost, 0 before any.
    public var bestEpoch: Int

    enum CodingKeys: String, CodingKey {
        case model, dataset, epochs
        case trainSteps = "train_steps"
        case bestEpoch = "best_epoch"
    }

    /// The epoch with the lowest test cost, as the tutorial picks its best pass.
    public var best: EpochMetrics? { epochs.min { $0.testCost < $1.testCost } }
}
