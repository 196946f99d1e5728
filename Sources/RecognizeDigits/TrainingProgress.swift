/// Where a training epoch stands after a step, for a progress display: batches done of the
/// epoch's, throughput, the time left and the epoch's running mean cost.
public struct TrainingProgress: Sendable, Equatable {
    public let epoch: Int
    public let batches: Int
    /// Batches done in this epoch.
    public private(set) var batchesDone = 0
    public private(set) var images = 0
    public private(set) var seconds = 0.0
    private var costSum = 0.0

    public init(epoch: Int, batches: Int) {
        self.epoch = epoch
        self.batches = batches
    }

    /// Counts the step of batch `batch` (0-based), of `images` images and loss `cost`, done
    /// `seconds` after the epoch started.
    mutating func record(batch: Int, images: Int, cost: Double, seconds: Double) {
        batchesDone = batch + 1
        self.images += images
        self.seconds = seconds
        costSum += cost
    }

    /// Images trained per second in this epoch so far.
    public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }

    /// The seconds the epoch's remaining batches take at this epoch's pace so far.
    public var secondsRemaining: Double {
        batchesDone > 0 ? seconds / Double(batchesDone) * Double(max(batches - batchesDone, 0)) : 0
    }

    /// The mean training cost of this epoch's batches so far.
    public var runningCost: Double { batchesDone > 0 ? costSum / Double(batchesDone) : 0 }
}
