import FluidData

extension CostPlot {
    /// The plot drawn in `width` x `height` pixels (each clamped to `1...maximumSide`): white
    /// background, title, frame with ticks, numbers and light grid lines, the curves, and the
    /// legend top-right.
    ///
    /// ```swift
    /// let image = plot.render(width: 1200, height: 750)
    /// ```
    public func render(width: Int = 800, height: Int = 500) -> RGBImage {
        let layout = layout(width: width, height: height)
        var canvas = RasterCanvas(width: layout.width, height: layout.height, background: PlotPalette.background)
        let frame = layout.frame
        let area = frame.area

        for value in layout.yTicks.values {
            canvas.fill(
                PixelRect(x: area.x, y: frame.row(cost: value), width: area.width, height: 1), color: PlotPalette.grid)
        }
        for value in layout.xTicks.values {
            canvas.fill(
                PixelRect(x: frame.column(step: value), y: area.y, width: 1, height: area.height),
                color: PlotPalette.grid)
        }
        canvas.stroke(area.expanded(by: 1), color: PlotPalette.axis)
        for value in layout.yTicks.values {
            canvas.fill(
                PixelRect(
                    x: area.x - 1 - layout.tickLength, y: frame.row(cost: value), width: layout.tickLength, height: 1),
                color: PlotPalette.axis)
        }
        for value in layout.xTicks.values {
            canvas.fill(
                PixelRect(x: frame.column(step: value), y: area.maxY + 2, width: 1, height: layout.tickLength),
                color: PlotPalette.axis)
        }
        for text in layout.xTickLabels + layout.yTickLabels + [layout.xLabel, layout.title] {
            canvas.drawText(text.string, x: text.x, y: text.y, scale: text.scale, color: PlotPalette.text)
        }
        let yLabel = layout.yLabel
        canvas.drawVerticalText(yLabel.string, x: yLabel.x, y: yLabel.y, scale: yLabel.scale, color: PlotPalette.text)

        // Curves stay inside the area; markers may overhang the frame by their radius, so a
        // test point on the last step still shows whole.
        canvas.clip = area
        let test = drawnTestCost.map { frame.point(step: Double($0.step), cost: $0.cost) }
        canvas.drawPolyline(test, width: layout.lineWidth, color: PlotPalette.test)
        let train = drawnTrainCost.map { frame.point(step: Double($0.step), cost: $0.cost) }
        canvas.drawPolyline(train, width: layout.lineWidth, color: PlotPalette.train)
        if drawnTrainCost.count == 1, let only = drawnTrainCost.first {
            // A line through one point is a dot too small to find; draw it as a small disc.
            let p = frame.pixel(step: only.step, cost: only.cost)
            canvas.fillCircle(centerX: p.x, centerY: p.y, radius: layout.lineWidth + 1, color: PlotPalette.train)
        }
        canvas.clip = area.expanded(by: layout.markerRadius)
        for point in drawnTestCost {
            let p = frame.pixel(step: point.step, cost: point.cost)
            canvas.fillCircle(centerX: p.x, centerY: p.y, radius: layout.markerRadius, color: PlotPalette.test)
        }
        canvas.clip = canvas.bounds

        if let box = layout.legend {
            canvas.fill(box, color: PlotPalette.background)
            canvas.stroke(box, color: PlotPalette.legendBorder)
            for entry in layout.legendEntries {
                let y = Double(entry.sampleY)
                canvas.drawLine(
                    from: (Double(entry.sampleStart), y), to: (Double(entry.sampleEnd), y),
                    width: layout.lineWidth, color: entry.color)
                if entry.hasMarker {
                    canvas.fillCircle(
                        centerX: (entry.sampleStart + entry.sampleEnd) / 2, centerY: entry.sampleY,
                        radius: layout.markerRadius, color: entry.color)
                }
                canvas.drawText(
                    entry.label.string, x: entry.label.x, y: entry.label.y, scale: entry.label.scale,
                    color: PlotPalette.text)
            }
        }
        return canvas.image
    }
}
