import FluidData

/// Where everything of a cost plot goes in a picture of a given size: one layout serves the
/// PNG and the SVG. Text sizes grow with the picture (scale 2 at 800 x 500); the margins are
/// measured from the text they hold, so labels neither overlap nor get cut off.
struct PlotLayout {
    /// A line of text; (x, y) is the top-left corner of its box (for vertical text, of the
    /// turned box).
    struct Text: Equatable {
        var string: String
        var x: Int
        var y: Int
        var scale: Int
        var width: Int { BitmapFont.size(of: string, scale: scale).width }
        var height: Int { BitmapFont.size(of: string, scale: scale).height }
    }

    struct LegendEntry {
        var label: Text
        var color: RGBImage.Color
        var hasMarker: Bool
        /// The sample line: from `sampleStart` to `sampleEnd` along row `sampleY`.
        var sampleStart: Int
        var sampleEnd: Int
        var sampleY: Int
    }

    let width: Int
    let height: Int
    /// The size of ordinary text (tick numbers, axis labels, legend); the title is larger.
    let textScale: Int
    let frame: PlotFrame
    let xTicks: AxisTicks
    let yTicks: AxisTicks
    let tickLength: Int
    let title: Text
    let xLabel: Text
    /// Drawn turned, reading upwards.
    let yLabel: Text
    let xTickLabels: [Text]
    let yTickLabels: [Text]
    let lineWidth: Int
    let markerRadius: Int
    /// The legend's box, top-right in the plot area; nil when no series has points or it does not fit.
    let legend: PixelRect?
    let legendEntries: [LegendEntry]

    static let xAxisName = "Step"
    static let yAxisName = "Cost"
    static let trainName = "Train cost"
    static let testName = "Test cost"

    /// Sides are clamped to `1...CostPlot.maximumSide`.
    init(
        title titleString: String, train: [PlotPoint], test: [PlotPoint], width requestedWidth: Int,
        height requestedHeight: Int
    ) {
        width = max(1, min(CostPlot.maximumSide, requestedWidth))
        height = max(1, min(CostPlot.maximumSide, requestedHeight))
        let s = max(1, min(width / 400, height / 250))
        textScale = s
        let pad = 5 * s
        let tickLength = 3 * s
        self.tickLength = tickLength
        lineWidth = s
        markerRadius = 2 * s
        let digitHeight = BitmapFont.ascent * s

        // Title: one scale above the text, smaller if that is what fits the width.
        var titleScale = s + 1
        while titleScale > 1 && BitmapFont.size(of: titleString, scale: titleScale).width > width - 2 * pad {
            titleScale -= 1
        }
        let titleWidth = BitmapFont.size(of: titleString, scale: titleScale).width
        title = Text(string: titleString, x: (width - titleWidth) / 2, y: pad, scale: titleScale)
        let top = titleString.isEmpty ? 2 * pad : pad + BitmapFont.cellHeight * titleScale + pad

        // Below the area: frame line, ticks, numbers, the axis name.
        let numbersGap = 2 * s
        let bottomMargin = 1 + tickLength + numbersGap + digitHeight + 3 * s + BitmapFont.cellHeight * s + pad
        let areaHeight = max(1, height - top - bottomMargin)

        // The y axis first: its numbers' width sets the left margin.
        let costs = AxisRange.costs(of: [train, test])
        let yTicks = AxisTicks(covering: costs, targetCount: max(2, min(10, areaHeight / (25 * s))))
        self.yTicks = yTicks
        let yNumbers = yTicks.labels
        let widestY = yNumbers.map { BitmapFont.size(of: $0, scale: s).width }.max() ?? 0
        let left = pad + BitmapFont.cellHeight * s + 3 * s + widestY + numbersGap + tickLength + 1

        // The right margin holds half of a number centred on the last column.
        let steps = AxisRange.steps(of: [train, test])
        let widestStepLabel =
            [steps.lowerBound, steps.upperBound]
            .map { BitmapFont.size(of: AxisTicks.label($0.rounded(), step: 1), scale: s).width }.max() ?? 0
        let right = max(2 * pad, widestStepLabel / 2 + pad)
        let areaWidth = max(1, width - left - right)
        let area = PixelRect(x: left, y: top, width: areaWidth, height: areaHeight)
        let frame = PlotFrame(area: area, steps: steps, costs: yTicks.range)
        let xTicks = Self.stepTicks(frame.steps, areaWidth: areaWidth, scale: s)
        self.frame = frame
        self.xTicks = xTicks

        // Numbers: x centred under their ticks, y right-aligned and centred on theirs.
        let numbersTop = area.maxY + 1 + tickLength + numbersGap
        xTickLabels = zip(xTicks.values, xTicks.labels).map { value, label in
            let w = BitmapFont.size(of: label, scale: s).width
            return Text(string: label, x: frame.column(step: value) - w / 2, y: numbersTop, scale: s)
        }
        yTickLabels = zip(yTicks.values, yNumbers).map { value, label in
            let w = BitmapFont.size(of: label, scale: s).width
            return Text(
                string: label, x: area.x - 1 - tickLength - numbersGap - w, y: frame.row(cost: value) - digitHeight / 2,
                scale: s)
        }

        let xNameWidth = BitmapFont.size(of: Self.xAxisName, scale: s).width
        xLabel = Text(
            string: Self.xAxisName, x: area.x + (area.width - xNameWidth) / 2,
            y: numbersTop + digitHeight + 3 * s, scale: s)
        let yNameLength = BitmapFont.size(of: Self.yAxisName, scale: s).width
        yLabel = Text(string: Self.yAxisName, x: pad, y: area.y + (area.height - yNameLength) / 2, scale: s)

        (legend, legendEntries) = Self.legend(in: area, train: !train.isEmpty, test: !test.isEmpty, scale: s)
    }

    /// Step ticks at whole steps, as many as fit without their numbers touching.
    static func stepTicks(_ steps: ClosedRange<Double>, areaWidth: Int, scale s: Int) -> AxisTicks {
        let span = steps.upperBound - steps.lowerBound
        var target = max(1, min(10, areaWidth / (50 * s)))
        while true {
            let ticks = AxisTicks(within: steps, targetCount: target, minimumStep: 1)
            let spacing = ticks.step / span * Double(max(1, areaWidth - 1))
            let widest = ticks.labels.map { BitmapFont.size(of: $0, scale: s).width }.max() ?? 0
            if target == 1 || Double(widest + 4 * s) <= spacing { return ticks }
            target -= 1
        }
    }

    /// The legend box in the area's top-right corner, one row per series that has points.
    static func legend(in area: PixelRect, train: Bool, test: Bool, scale s: Int) -> (PixelRect?, [LegendEntry]) {
        let series = [(trainName, PlotPalette.train, false, train), (testName, PlotPalette.test, true, test)].filter(
            \.3)
        guard !series.isEmpty else { return (nil, []) }
        let inner = 3 * s
        let sampleLength = 12 * s
        let gap = 3 * s
        let rowHeight = BitmapFont.cellHeight * s + s
        let widestName = series.map { BitmapFont.size(of: $0.0, scale: s).width }.max() ?? 0
        let boxWidth = inner + sampleLength + gap + widestName + inner
        let boxHeight = inner + series.count * rowHeight - s + inner
        let box = PixelRect(x: area.maxX - 4 * s - boxWidth + 1, y: area.y + 4 * s, width: boxWidth, height: boxHeight)
        guard area.intersection(box) == box else { return (nil, []) }
        let entries = series.enumerated().map { index, entry in
            let rowTop = box.y + inner + index * rowHeight
            let sampleStart = box.x + inner
            return LegendEntry(
                label: Text(string: entry.0, x: sampleStart + sampleLength + gap, y: rowTop, scale: s),
                color: entry.1, hasMarker: entry.2, sampleStart: sampleStart,
                sampleEnd: sampleStart + sampleLength - 1, sampleY: rowTop + BitmapFont.ascent * s / 2)
        }
        return (box, entries)
    }
}
