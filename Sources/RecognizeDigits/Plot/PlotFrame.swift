/// Where the data go on the picture: the plot area's pixels and the step and cost ranges
/// mapped onto them. The lower step lands on the area's first column and the upper on its last;
/// the lower cost on its bottom row and the upper on its top row, linearly in between.
///
/// ```swift
/// let frame = PlotFrame(area: PixelRect(x: 80, y: 40, width: 700, height: 400), steps: 0...4600, costs: 0...2.5)
/// frame.pixel(step: 0, cost: 0)   // (x: 80, y: 439)
/// ```
struct PlotFrame: Equatable {
    /// The pixels data are drawn in; the frame line lies just outside it.
    let area: PixelRect
    let steps: ClosedRange<Double>
    let costs: ClosedRange<Double>

    /// Ranges are widened to a span of 1 when empty, so the mapping never divides by zero.
    init(area: PixelRect, steps: ClosedRange<Double>, costs: ClosedRange<Double>) {
        self.area = area
        self.steps = Self.widened(steps)
        self.costs = Self.widened(costs)
    }

    /// The exact position of a point, in pixel coordinates (centres of pixels are whole numbers).
    func point(step: Double, cost: Double) -> (x: Double, y: Double) {
        let fx = (step - steps.lowerBound) / (steps.upperBound - steps.lowerBound)
        let fy = (cost - costs.lowerBound) / (costs.upperBound - costs.lowerBound)
        return (
            Double(area.x) + fx * Double(max(0, area.width - 1)),
            Double(area.maxY) - fy * Double(max(0, area.height - 1))
        )
    }

    /// The pixel nearest to a point. Points far outside the picture are pulled in to a bounded
    /// distance, so the conversion to `Int` cannot trap.
    func pixel(step: Int, cost: Double) -> (x: Int, y: Int) {
        let p = point(step: Double(step), cost: cost)
        return (Self.pixelCoordinate(p.x), Self.pixelCoordinate(p.y))
    }

    /// The column of a step, for tick marks.
    func column(step: Double) -> Int { Self.pixelCoordinate(point(step: step, cost: costs.lowerBound).x) }

    /// The row of a cost, for tick marks.
    func row(cost: Double) -> Int { Self.pixelCoordinate(point(step: steps.lowerBound, cost: cost).y) }

    static func pixelCoordinate(_ value: Double) -> Int {
        guard !value.isNaN else { return -1_000_000 }
        return Int(min(1_000_000, max(-1_000_000, value.rounded())))
    }

    private static func widened(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        let span = range.upperBound - range.lowerBound
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return 0...1 }
        return span > 0 && span.isFinite ? range : range.lowerBound...(range.lowerBound + 1)
    }
}
