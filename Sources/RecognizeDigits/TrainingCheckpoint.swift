import Fluid
import Foundation

/// What a tutorial training run saves beside its persistables after every epoch, so that
/// `--resume` continues exactly where it stopped: the settings that must not change, the
/// epochs done (the reader's next shuffle pass) and the figures so far.
struct TrainingCheckpoint: Codable, Equatable {
    var model: String
    var dataset: String
    var seed: Int
    var batchSize: Int
    var learningRate: Float
    var schedule: ScheduleKind
    var decayRate: Float
    var weightDecay: Float
    var dropout: Float
    var shuffleBuffer: Int
    /// The schedule's length: a cosine schedule over another number of epochs is another run.
    var epochs: Int
    var epochsCompleted: Int
    var metrics: TrainingMetrics

    enum CodingKeys: String, CodingKey {
        case model, dataset, seed, schedule, dropout, epochs, metrics
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case decayRate = "decay_rate"
        case weightDecay = "weight_decay"
        case shuffleBuffer = "shuffle_buffer"
        case epochsCompleted = "epochs_completed"
    }

    init(_ options: TrainingOptions, epochsCompleted: Int, metrics: TrainingMetrics) {
        model = options.model.rawValue
        dataset = options.dataset.rawValue
        seed = options.seed
        batchSize = options.batchSize
        learningRate = options.learningRate
        schedule = options.schedule
        decayRate = options.decayRate
        weightDecay = options.weightDecay
        dropout = options.dropout
        shuffleBuffer = options.shuffleBuffer
        epochs = options.epochs
        self.epochsCompleted = epochsCompleted
        self.metrics = metrics
    }

    /// Throws naming the first setting of `options` that differs from the checkpointed run's.
    func checkResumable(with options: TrainingOptions, directory: String) throws {
        func same<T: Equatable>(_ name: String, _ saved: T, _ now: T) throws {
            guard saved == now else {
                throw FluidError.file(
                    path: directory,
                    message:
                        "holds a checkpoint trained with \(name) \(saved), but this run asks for \(now); resume with the same settings"
                )
            }
        }
        try same("model", model, options.model.rawValue)
        try same("dataset", dataset, options.dataset.rawValue)
        try same("seed", seed, options.seed)
        try same("batch size", batchSize, options.batchSize)
        try same("learning rate", learningRate, options.learningRate)
        try same("schedule", schedule, options.schedule)
        if schedule == .cosine { try same("a cosine schedule over epochs", epochs, options.epochs) }
        if schedule == .exponential { try same("decay rate", decayRate, options.decayRate) }
        try same("weight decay", weightDecay, options.weightDecay)
        try same("dropout", dropout, options.dropout)
        try same("shuffle buffer", shuffleBuffer, options.shuffleBuffer)
        guard epochsCompleted < options.epochs else {
            throw FluidError.file(
                path: directory,
                message:
                    "holds a checkpoint after \(epochsCompleted) epochs; --epochs is the total, so ask for more than \(epochsCompleted) to continue"
            )
        }
    }
}
