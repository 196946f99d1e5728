import Foundation

/// Tick values of an axis at a "nice" step: 1, 2 or 5 times a power of ten, the smallest such
/// step that gives at most about `targetCount` intervals over the range.
///
/// ```swift
/// AxisTicks(within: 0...938, targetCount: 5).values              // [0, 200, 400, 600, 800]
/// AxisTicks(covering: 0.03...2.4, targetCount: 5).values         // [0, 0.5, 1, 1.5, 2, 2.5]
/// ```
struct AxisTicks: Equatable {
    /// The distance between neighbouring ticks.
    let step: Double
    /// Multiples of `step`, ascending.
    let values: [Double]

    /// At most this many ticks are made, whatever the range, so a degenerate range cannot
    /// produce a huge array.
    static let maximumCount = 200

    /// The multiples of the nice step that lie inside `range` (both ends included).
    /// `minimumStep` bounds the step from below (1 for integer steps).
    init(within range: ClosedRange<Double>, targetCount: Int, minimumStep: Double = 0) {
        step = Self.niceStep(
            span: range.upperBound - range.lowerBound, targetCount: targetCount, minimumStep: minimumStep)
        values = Self.multiples(of: step, from: range.lowerBound, to: range.upperBound)
    }

    /// Ticks over the smallest range of whole steps that covers `range`: its ends are ticks.
    init(covering range: ClosedRange<Double>, targetCount: Int, minimumStep: Double = 0) {
        let step = Self.niceStep(
            span: range.upperBound - range.lowerBound, targetCount: targetCount, minimumStep: minimumStep)
        // The 1e-9 forgives rounding in bounds that are already multiples (2.5 / 0.5 = 5.0000000001).
        let low = (range.lowerBound / step + 1e-9).rounded(.down) * step
        var high = (range.upperBound / step - 1e-9).rounded(.up) * step
        if !(high > low) { high = low + step }
        self.step = step
        values = Self.multiples(of: step, from: low, to: high)
    }

    /// The range from the first tick to the last (`0...1` when there are none).
    var range: ClosedRange<Double> {
        guard let first = values.first, let last = values.last, last > first else { return 0...1 }
        return first...last
    }

    /// The smallest of 1, 2, 5 x 10^k that is at least span / targetCount (and `minimumStep`).
    /// Degenerate spans (zero, negative, not finite) give 1.
    static func niceStep(span: Double, targetCount: Int, minimumStep: Double = 0) -> Double {
        let raw = span / Double(max(1, targetCount))
        guard raw.isFinite, raw > 0 else { return max(1, minimumStep) }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        var step = 10 * magnitude
        for multiplier in [1.0, 2.0, 5.0] where multiplier * magnitude >= raw * (1 - 1e-9) {
            step = multiplier * magnitude
            break
        }
        guard step.isFinite, step > 0 else { return max(1, minimumStep) }
        return max(step, minimumStep)
    }

    private static func multiples(of step: Double, from low: Double, to high: Double) -> [Double] {
        let first = (low / step - 1e-9).rounded(.up)
        let last = (high / step + 1e-9).rounded(.down)
        guard first.isFinite, last.isFinite, last >= first, last - first < Double(maximumCount) else {
            return []
        }
        return (0...Int(last - first)).map { i in
            let value = (first + Double(i)) * step
            // A multiple meant to be zero can come out as -0 or 1e-17; show it as 0.
            return abs(value) < step * 1e-9 ? 0 : value
        }
    }
}
