import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import RecognizeDigits

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The tutorial's picture: 47 logged train costs decaying from 2.3 to about 0.05 with
/// deterministic noise, and a test cost after each of 5 epochs.
func tutorialLikePlot() -> CostPlot {
    var plot = CostPlot(title: "Recognize Digits: cnn on MNIST")
    var state: UInt64 = 90
    plot.trainCost = stride(from: 0, through: 4600, by: 100).map { step in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let noise = Double(state >> 40) / Double(1 << 24) - 0.5
        let cost = 0.05 + 2.25 * exp(-Double(step) / 500)
        return PlotPoint(step: step, cost: step == 0 ? 2.3 : cost * (1 + 0.6 * noise))
    }
    plot.testCost = [920, 1840, 2760, 3680, 4600].enumerated().map { i, step in
        PlotPoint(step: step, cost: [0.16, 0.09, 0.07, 0.06, 0.055][i])
    }
    return plot
}

/// The plot area's mapping recomputed here from its rectangle and the axis ranges, to check
/// the renderer against.
private struct ExpectedMapping {
    let area: PixelRect
    let steps: ClosedRange<Double>
    let costs: ClosedRange<Double>

    init(_ frame: PlotFrame) {
        area = frame.area
        steps = frame.steps
        costs = frame.costs
    }

    func x(step: Double) -> Double {
        Double(area.x) + (step - steps.lowerBound) / (steps.upperBound - steps.lowerBound) * Double(area.width - 1)
    }

    func y(cost: Double) -> Double {
        Double(area.y + area.height - 1) - (cost - costs.lowerBound) / (costs.upperBound - costs.lowerBound)
            * Double(area.height - 1)
    }

    func step(column: Double) -> Double {
        steps.lowerBound + (column - Double(area.x)) / Double(area.width - 1) * (steps.upperBound - steps.lowerBound)
    }
}

/// The cost at `step` by linear interpolation between the neighbouring points (sorted by step).
private func interpolatedCost(_ points: [PlotPoint], at step: Double) -> Double? {
    for (a, b) in zip(points, points.dropFirst()) where Double(a.step) <= step && step <= Double(b.step) {
        let t = (step - Double(a.step)) / Double(b.step - a.step)
        return a.cost + t * (b.cost - a.cost)
    }
    return nil
}

/// The distance from (px, py) to the segment from a to b.
private func distance(_ px: Double, _ py: Double, _ a: (Double, Double), _ b: (Double, Double)) -> Double {
    let dx = b.0 - a.0
    let dy = b.1 - a.1
    let t = dx == 0 && dy == 0 ? 0 : max(0, min(1, ((px - a.0) * dx + (py - a.1) * dy) / (dx * dx + dy * dy)))
    return hypot(px - (a.0 + t * dx), py - (a.1 + t * dy))
}

@Suite struct CostPlotTests {
    @Test func writtenPNGDecodesToTheRequestedSizeInRGB() throws {
        let directory = try TemporaryDirectory()
        let plot = tutorialLikePlot()
        for (width, height) in [(800, 500), (640, 400)] {
            let path = directory.file("cost-\(width).png")
            try plot.writePNG(to: path, width: width, height: height)
            let decoded = try DecodedPNG(contentsOf: path)
            #expect(decoded.width == width && decoded.height == height)
            #expect(decoded.channels == 3 && decoded.sourceColorType == .rgb && decoded.sourceBitDepth == 8)
            #expect(decoded.samples == plot.render(width: width, height: height).pixels)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [
                "cost-640.png", "cost-800.png",
            ])
    }

    @Test func trainCurveFollowsTheCostsColumnByColumn() throws {
        // Down from 2.2 to 0.2 at step 600, then up again: a shape a wrong mapping cannot fake.
        var plot = CostPlot(title: "V")
        plot.trainCost = stride(from: 0, through: 1000, by: 100).map {
            PlotPoint(step: $0, cost: 0.2 + 2 * abs(Double($0 - 600)) / 600)
        }
        let layout = plot.layout(width: 800, height: 500)
        let image = plot.render(width: 800, height: 500)
        let expected = ExpectedMapping(layout.frame)
        #expect(expected.steps == 0...1000)
        #expect(
            expected.costs.lowerBound == 0 && expected.costs.upperBound >= 2.2 * 1.05 && expected.costs.upperBound <= 3)
        let legend = try #require(layout.legend)
        let area = expected.area
        var checkedColumns = 0
        for column in stride(from: area.x + 3, through: area.maxX - 3, by: 17) {
            // The curve crosses this column between the costs half a pixel either side.
            let ends = [Double(column) - 0.5, Double(column) + 0.5].compactMap {
                interpolatedCost(plot.trainCost, at: expected.step(column: $0))
            }
            let rows = ends.map { expected.y(cost: $0) }
            let (top, bottom) = (try #require(rows.min()) - 3, try #require(rows.max()) + 3)
            var near = 0
            for row in area.y...area.maxY
            where image[column, row] == PlotPalette.train && !legend.contains(x: column, y: row) {
                #expect(
                    Double(row) >= top && Double(row) <= bottom,
                    "column \(column): blue at row \(row), expected \(top)...\(bottom)")
                near += 1
            }
            #expect(near > 0, "column \(column) has no blue pixel near row \(rows[0])")
            checkedColumns += 1
        }
        #expect(checkedColumns > 30)
    }

    @Test func testMarkersSitAtTheirPointsAndTheLineJoinsThem() throws {
        var plot = CostPlot(title: "markers")
        plot.trainCost = stride(from: 0, through: 1000, by: 50).map {
            PlotPoint(step: $0, cost: 2.0 - Double($0) / 1000)
        }
        plot.testCost = [
            PlotPoint(step: 200, cost: 1.5), PlotPoint(step: 500, cost: 0.4), PlotPoint(step: 800, cost: 0.9),
        ]
        let layout = plot.layout(width: 800, height: 500)
        let image = plot.render(width: 800, height: 500)
        let expected = ExpectedMapping(layout.frame)
        let centres = plot.testCost.map { (expected.x(step: Double($0.step)), expected.y(cost: $0.cost)) }
        let r = layout.markerRadius
        #expect(r >= 3)
        for (cx, cy) in centres {
            // The whole disc just inside the radius is orange: the marker is there and of its size.
            let x0 = Int(cx.rounded())
            let y0 = Int(cy.rounded())
            for dy in -(r - 1)...(r - 1) {
                for dx in -(r - 1)...(r - 1) where dx * dx + dy * dy <= (r - 1) * (r - 1) {
                    #expect(
                        image[x0 + dx, y0 + dy] == PlotPalette.test, "marker at (\(x0), \(y0)) misses (\(dx), \(dy))")
                }
            }
        }
        // And orange appears nowhere else in the plot area than on the markers and the segments between them.
        let legend = try #require(layout.legend)
        let area = expected.area
        for row in area.y...area.maxY {
            for column in area.x...area.maxX
            where image[column, row] == PlotPalette.test && !legend.contains(x: column, y: row) {
                let x = Double(column)
                let y = Double(row)
                let nearMarker = centres.contains { hypot(x - $0.0, y - $0.1) <= Double(r) + 1.5 }
                let nearLine = zip(centres, centres.dropFirst()).contains { distance(x, y, $0, $1) <= 2.5 }
                #expect(nearMarker || nearLine, "stray orange pixel at (\(column), \(row))")
            }
        }
    }

    @Test func labelsStayInsideThePictureAndApart() throws {
        let plot = tutorialLikePlot()
        for (width, height) in [(800, 500), (400, 250), (1600, 1000), (1000, 400)] {
            let layout = plot.layout(width: width, height: height)
            let texts = layout.xTickLabels + layout.yTickLabels + [layout.title, layout.xLabel]
            for t in texts {
                #expect(
                    t.x >= 0 && t.y >= 0 && t.x + t.width <= width && t.y + t.height <= height,
                    "'\(t.string)' at \(width) x \(height)")
            }
            let y = layout.yLabel
            #expect(
                y.x >= 0 && y.x + y.height <= (layout.yTickLabels.map(\.x).min() ?? 0), "the y name left of the numbers"
            )
            for (a, b) in zip(layout.xTickLabels, layout.xTickLabels.dropFirst()) {
                #expect(a.x + a.width < b.x, "'\(a.string)' and '\(b.string)'")
            }
            for (a, b) in zip(layout.yTickLabels, layout.yTickLabels.dropFirst()) {
                #expect(b.y + b.height < a.y + a.height, "'\(a.string)' and '\(b.string)'")
            }
            #expect(layout.xTickLabels.count >= 3 && layout.yTickLabels.count >= 3)
            #expect(
                layout.title.y + layout.title.height < layout.frame.area.y - BitmapFont.ascent * layout.textScale / 2)

            // The legend is in the top-right of the area and covers none of the points.
            let legend = try #require(layout.legend)
            let area = layout.frame.area
            #expect(
                area.intersection(legend) == legend && legend.x > area.x + area.width / 2
                    && legend.maxY < area.y + area.height / 2)
            for point in plot.trainCost + plot.testCost {
                let p = layout.frame.pixel(step: point.step, cost: point.cost)
                #expect(
                    !legend.expanded(by: layout.markerRadius).contains(x: p.x, y: p.y),
                    "step \(point.step) under the legend")
            }
        }
    }

    static let degenerateCases: [(String, [PlotPoint], [PlotPoint])] = [
        ("no points", [], []),
        ("one train point", [PlotPoint(step: 0, cost: 2.3)], []),
        ("one test point", [], [PlotPoint(step: 938, cost: 0.1)]),
        ("equal costs", (0..<5).map { PlotPoint(step: $0 * 100, cost: 0.7) }, [PlotPoint(step: 400, cost: 0.7)]),
        ("zero costs", (0..<5).map { PlotPoint(step: $0, cost: 0) }, []),
        (
            "NaN and infinite costs",
            [
                PlotPoint(step: 0, cost: .nan), PlotPoint(step: 1, cost: 1), PlotPoint(step: 2, cost: .infinity),
                PlotPoint(step: 3, cost: 0.5),
            ],
            [PlotPoint(step: 3, cost: .nan)]
        ),
        ("only NaN", [PlotPoint(step: 0, cost: .nan)], [PlotPoint(step: 5, cost: -.infinity)]),
        ("negative costs", [PlotPoint(step: 0, cost: -1), PlotPoint(step: 10, cost: 2)], []),
        ("huge costs", [PlotPoint(step: 0, cost: 1e308), PlotPoint(step: 1, cost: -.greatestFiniteMagnitude)], []),
        (
            "extreme steps", [PlotPoint(step: .min, cost: 1), PlotPoint(step: .max, cost: 2)],
            [PlotPoint(step: 0, cost: 1.5)]
        ),
        ("same step twice", [PlotPoint(step: 7, cost: 1), PlotPoint(step: 7, cost: 2)], []),
    ]

    @Test(arguments: degenerateCases)
    func degenerateSeriesRenderWithAxes(name: String, train: [PlotPoint], test: [PlotPoint]) throws {
        var plot = CostPlot(title: name)
        plot.trainCost = train
        plot.testCost = test
        let image = plot.render(width: 800, height: 500)
        let layout = plot.layout(width: 800, height: 500)
        #expect(image.width == 800 && image.height == 500)
        let frame = layout.frame
        let area = frame.area
        for range in [frame.steps, frame.costs] {
            #expect(
                range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound < range.upperBound,
                "\(name): \(range)")
        }
        // The frame around the area, and numbers on both axes.
        #expect(image[area.x - 1, area.y + area.height / 2] == PlotPalette.axis, "\(name)")
        #expect(image[area.x + area.width / 2, area.maxY + 1] == PlotPalette.axis, "\(name)")
        #expect(layout.yTickLabels.count >= 2 && !layout.xTickLabels.isEmpty, "\(name)")
        let numbers = try #require(layout.yTickLabels.first)
        let inked = (numbers.y..<numbers.y + numbers.height).contains { y in
            (numbers.x..<numbers.x + numbers.width).contains { image[$0, y] == PlotPalette.text }
        }
        #expect(inked, "\(name)")
        // The points that remain show: test markers, and a lone train point as a dot.
        var shown = test.filter { $0.cost.isFinite }.map { ($0, PlotPalette.test) }
        let finiteTrain = train.filter { $0.cost.isFinite }
        if finiteTrain.count == 1, test.isEmpty { shown += finiteTrain.map { ($0, PlotPalette.train) } }
        for (point, color) in shown {
            let p = frame.pixel(step: point.step, cost: point.cost)
            try #require(area.contains(x: p.x, y: p.y), "\(name): step \(point.step) outside the area")
            #expect(image[p.x, p.y] == color, "\(name): the point at step \(point.step)")
        }
        #expect(plot.svg().hasSuffix("</svg>\n"), "\(name)")
    }

    @Test func tinyPicturesDoNotTrap() {
        let plot = tutorialLikePlot()
        for (width, height) in [(1, 1), (0, -5), (60, 40), (3000, 20), (20_000, 30)] {
            let image = plot.render(width: width, height: height)
            #expect(image.width == max(1, min(8192, width)) && image.height == max(1, min(8192, height)))
            #expect(plot.svg(width: width, height: height).contains("<svg"))
        }
    }

    @Test func svgHasOnePolylinePerSeriesAndEscapesTheTitle() throws {
        var plot = tutorialLikePlot()
        plot.title = "Costs <cnn> & \"mlp\""
        plot.trainCost[3].cost = .nan
        let svg = plot.svg(width: 800, height: 500)
        #expect(svg.contains("Costs &lt;cnn&gt; &amp; &quot;mlp&quot;"))
        #expect(!svg.contains("<cnn>") && !svg.contains("& "))
        let polylines = svg.components(separatedBy: "<polyline ").dropFirst()
        #expect(polylines.count == 2)
        let counts = polylines.map { element -> Int in
            let points = element.components(separatedBy: "points=\"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
            return points.split(separator: " ").filter { $0.split(separator: ",").count == 2 }.count
        }
        #expect(counts.sorted() == [plot.testCost.count, plot.trainCost.count - 1].sorted())
        #expect(
            svg.components(separatedBy: "<circle ").count - 1 == plot.testCost.count + 1,
            "a marker per test point and one in the legend")
        for name in ["Train cost", "Test cost", "Step", "Cost"] { #expect(svg.contains(">\(name)</text>")) }
        #if canImport(FoundationXML)
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #endif

        // Only the series with points get a polyline.
        var trainOnly = plot
        trainOnly.testCost = []
        #expect(trainOnly.svg().components(separatedBy: "<polyline ").count - 1 == 1)
    }

    @Test func writesAreAtomicAndErrorsNameThePath() throws {
        let directory = try TemporaryDirectory()
        let plot = tutorialLikePlot()
        let svgPath = directory.file("cost.svg")
        try plot.writeSVG(to: svgPath)
        #expect(try String(contentsOfFile: svgPath, encoding: .utf8) == plot.svg())
        try plot.writePNG(to: directory.file("cost.png"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["cost.png", "cost.svg"])

        let missing = directory.file("no/such/dir/cost")
        let tooLarge = directory.file("huge")
        let writes = [
            { try plot.writePNG(to: missing + ".png") }, { try plot.writeSVG(to: missing + ".svg") },
            { try plot.writePNG(to: tooLarge + ".png", width: 0) },
            { try plot.writeSVG(to: tooLarge + ".svg", height: 9000) },
        ]
        for write in writes {
            #expect {
                try write()
            } throws: { error in
                guard case .cannotWrite(let path, _) = error as? DataError else { return false }
                return path.hasPrefix(missing) || path.hasPrefix(tooLarge)
            }
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["cost.png", "cost.svg"])
    }
}
