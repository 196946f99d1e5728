/// The data ranges the axes show, before ticks round them. Only finite costs count.
///
/// - Steps: from the first to the last step of either series, so both curves span the whole
///   width; one step alone is shown in the middle of `step - 1 ... step + 1`.
/// - Costs: from 0 (cross-entropy costs are not negative; starting at 0 shows their size
///   honestly), or the smallest cost when one is negative, up to 5% of the span above the
///   largest; all costs 0 give `0...1`. The y axis then extends to the next tick above.
enum AxisRange {
    /// Costs beyond this magnitude are treated as this magnitude when the range is computed, so
    /// its arithmetic stays finite; such points fall where they fall and are clipped.
    static let costLimit = 1e300

    static func steps(of series: [[PlotPoint]]) -> ClosedRange<Double> {
        let steps = series.joined().map(\.step)
        guard let low = steps.min(), let high = steps.max() else { return 0...1 }
        if low == high { return (Double(low) - 1)...(Double(high) + 1) }
        return Double(low)...Double(high)
    }

    static func costs(of series: [[PlotPoint]]) -> ClosedRange<Double> {
        let costs = series.joined().filter { $0.cost.isFinite }.map { max(-costLimit, min(costLimit, $0.cost)) }
        guard let smallest = costs.min(), let largest = costs.max() else { return 0...1 }
        let low = min(0, smallest)
        let high = max(0, largest)
        let span = high - low
        guard span > 0 else { return 0...1 }
        return low...(high + 0.05 * span)
    }
}
