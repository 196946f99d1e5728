/// One cost of a training curve: the cost measured at a global training step.
///
/// ```swift
/// plot.trainCost.append(PlotPoint(step: 100, cost: 0.42))
/// ```
public struct PlotPoint: Sendable, Equatable {
    /// The global step: batches trained so far, over all epochs.
    public var step: Int
    public var cost: Double

    public init(step: Int, cost: Double) {
        self.step = step
        self.cost = cost
    }
}
