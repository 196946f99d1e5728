import Foundation

extension CostPlot {
    /// The plot as an SVG document of `width` x `height` user units, laid out as `render`
    /// draws it, with real text: one `<polyline>` per series that has points (the legend's
    /// samples are `<line>`s), a `<circle>` per test point, and the title escaped.
    ///
    /// ```swift
    /// try plot.writeSVG(to: "train_cost.svg")
    /// ```
    public func svg(width: Int = 800, height: Int = 500) -> String {
        let layout = layout(width: width, height: height)
        let frame = layout.frame
        let area = frame.area
        let s = layout.textScale
        var out: [String] = []
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        out.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(layout.width)\" height=\"\(layout.height)\" viewBox=\"0 0 \(layout.width) \(layout.height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
        )
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"\(PlotPalette.hex(PlotPalette.background))\"/>")
        out.append(
            "<clipPath id=\"plot-area\"><rect x=\"\(area.x)\" y=\"\(area.y)\" width=\"\(area.width)\" height=\"\(area.height)\"/></clipPath>"
        )

        let grid = PlotPalette.hex(PlotPalette.grid)
        let axis = PlotPalette.hex(PlotPalette.axis)
        for value in layout.yTicks.values {
            let y = frame.row(cost: value)
            out.append(line(area.x, y, area.maxX, y, grid))
            out.append(line(area.x - 1 - layout.tickLength, y, area.x - 2, y, axis))
        }
        for value in layout.xTicks.values {
            let x = frame.column(step: value)
            out.append(line(x, area.y, x, area.maxY, grid))
            out.append(line(x, area.maxY + 2, x, area.maxY + 1 + layout.tickLength, axis))
        }
        out.append(
            "<rect x=\"\(Double(area.x) - 0.5)\" y=\"\(Double(area.y) - 0.5)\" width=\"\(area.width + 1)\" height=\"\(area.height + 1)\" fill=\"none\" stroke=\"\(axis)\"/>"
        )

        for label in layout.xTickLabels { out.append(text(label, anchor: "middle")) }
        for label in layout.yTickLabels { out.append(text(label, anchor: "end")) }
        out.append(text(layout.xLabel, anchor: "middle"))
        out.append(text(layout.title, anchor: "middle"))
        let yLabel = layout.yLabel
        let turnX = yLabel.x + BitmapFont.ascent * s
        let turnY = yLabel.y + yLabel.width / 2
        out.append(
            "<text x=\"\(turnX)\" y=\"\(turnY)\" font-size=\"\(10 * s)\" fill=\"\(PlotPalette.hex(PlotPalette.text))\" text-anchor=\"middle\" transform=\"rotate(-90 \(turnX) \(turnY))\">\(Self.escaped(yLabel.string))</text>"
        )

        let test = drawnTestCost.map { frame.point(step: Double($0.step), cost: $0.cost) }
        let train = drawnTrainCost.map { frame.point(step: Double($0.step), cost: $0.cost) }
        out.append(
            "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"\(layout.lineWidth)\" stroke-linejoin=\"round\" stroke-linecap=\"round\">"
        )
        if !test.isEmpty {
            out.append(polyline(test, PlotPalette.hex(PlotPalette.test), name: Self.escaped(PlotLayout.testName)))
        }
        if !train.isEmpty {
            out.append(polyline(train, PlotPalette.hex(PlotPalette.train), name: Self.escaped(PlotLayout.trainName)))
        }
        if train.count == 1, let p = train.first {
            out.append(
                "<circle cx=\"\(Self.number(p.x))\" cy=\"\(Self.number(p.y))\" r=\"\(layout.lineWidth + 1)\" fill=\"\(PlotPalette.hex(PlotPalette.train))\" stroke=\"none\"/>"
            )
        }
        out.append("</g>")
        for p in test {
            out.append(
                "<circle cx=\"\(Self.number(p.x))\" cy=\"\(Self.number(p.y))\" r=\"\(layout.markerRadius)\" fill=\"\(PlotPalette.hex(PlotPalette.test))\"/>"
            )
        }

        if let box = layout.legend {
            out.append(
                "<rect x=\"\(Double(box.x) + 0.5)\" y=\"\(Double(box.y) + 0.5)\" width=\"\(box.width - 1)\" height=\"\(box.height - 1)\" fill=\"#ffffff\" stroke=\"\(PlotPalette.hex(PlotPalette.legendBorder))\"/>"
            )
            for entry in layout.legendEntries {
                let color = PlotPalette.hex(entry.color)
                out.append(
                    "<line x1=\"\(entry.sampleStart)\" y1=\"\(entry.sampleY)\" x2=\"\(entry.sampleEnd)\" y2=\"\(entry.sampleY)\" stroke=\"\(color)\" stroke-width=\"\(layout.lineWidth)\"/>"
                )
                if entry.hasMarker {
                    out.append(
                        "<circle cx=\"\((entry.sampleStart + entry.sampleEnd) / 2)\" cy=\"\(entry.sampleY)\" r=\"\(layout.markerRadius)\" fill=\"\(color)\"/>"
                    )
                }
                out.append(text(entry.label, anchor: "start"))
            }
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A horizontal or vertical 1-unit line over the pixels x1...x2, y1...y2 that the PNG fills:
    /// through the pixels' centres across, from the first pixel's edge to the last one's along.
    private func line(_ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int, _ color: String) -> String {
        let horizontal = y1 == y2
        let (ax, bx) = horizontal ? (Double(x1), Double(x2) + 1) : (Double(x1) + 0.5, Double(x2) + 0.5)
        let (ay, by) = horizontal ? (Double(y1) + 0.5, Double(y2) + 0.5) : (Double(y1), Double(y2) + 1)
        return "<line x1=\"\(ax)\" y1=\"\(ay)\" x2=\"\(bx)\" y2=\"\(by)\" stroke=\"\(color)\"/>"
    }

    private func polyline(_ points: [(x: Double, y: Double)], _ color: String, name: String) -> String {
        let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        return "<polyline points=\"\(coordinates)\" stroke=\"\(color)\"><title>\(name)</title></polyline>"
    }

    /// Text placed as the bitmap font's box would be: the baseline is `ascent` rows below its top.
    private func text(_ text: PlotLayout.Text, anchor: String) -> String {
        let x: Int
        switch anchor {
        case "middle": x = text.x + text.width / 2
        case "end": x = text.x + text.width
        default: x = text.x
        }
        return
            "<text x=\"\(x)\" y=\"\(text.y + BitmapFont.ascent * text.scale)\" font-size=\"\(10 * text.scale)\" fill=\"\(PlotPalette.hex(PlotPalette.text))\" text-anchor=\"\(anchor)\">\(Self.escaped(text.string))</text>"
    }

    /// Coordinates with at most two decimals, and no exponent, which SVG parsers accept.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.2f", value)
    }

    /// `text` with XML's special characters escaped, for element content and attribute values.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
