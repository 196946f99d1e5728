import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import RecognizeDigits

/// The plot's axis ticks and its bitmap font.
@Suite struct PlotTicksAndFontTests {
    @Test(arguments: [
        (0.0...938.0, 5, [0.0, 200, 400, 600, 800]),
        (0.0...4600.0, 8, [0.0, 1000, 2000, 3000, 4000]),
        (0.03...2.4, 5, [0.5, 1.0, 1.5, 2.0]),
        (-3.0...7.0, 5, [-2.0, 0, 2, 4, 6]),
        (-3.0...7.0, 4, [0.0, 5]),
        (0.0...0.0042, 5, [0.0, 0.001, 0.002, 0.003, 0.004]),
    ])
    func niceTicksWithinARange(range: ClosedRange<Double>, target: Int, values: [Double]) {
        let ticks = AxisTicks(within: range, targetCount: target)
        #expect(ticks.values.count == values.count)
        for (got, want) in zip(ticks.values, values) {
            #expect(abs(got - want) <= 1e-12 * max(1, abs(want)), "\(ticks.values)")
        }
    }

    @Test func niceTicksCoveringARangeEndOnTicks() {
        let costs = AxisTicks(covering: 0.03...2.4, targetCount: 5)
        #expect(costs.step == 0.5 && costs.values == [0, 0.5, 1, 1.5, 2, 2.5] && costs.range == 0...2.5)
        let small = AxisTicks(covering: 0...0.1575, targetCount: 4)  // 0.039 a step -> 0.05
        #expect(small.step == 0.05 && small.values.count == 5 && abs(small.range.upperBound - 0.2) < 1e-12)
        // Whole steps only on the step axis, and the step never below one.
        #expect(AxisTicks(within: 0...3, targetCount: 10, minimumStep: 1).values == [0, 1, 2, 3])
        // Degenerate spans give a usable step instead of NaN or zero.
        #expect(AxisTicks.niceStep(span: 0, targetCount: 5) == 1)
        #expect(AxisTicks.niceStep(span: .infinity, targetCount: 5) == 1)
    }

    @Test func tickLabelsAreCompact() {
        #expect(AxisTicks(within: 0...1000, targetCount: 2).labels == ["0", "500", "1000"])
        #expect(AxisTicks(within: 0...0.15, targetCount: 3).labels == ["0", "0.05", "0.1", "0.15"])
        #expect(AxisTicks(within: 0...2.5, targetCount: 5).labels == ["0", "0.5", "1", "1.5", "2", "2.5"])
        #expect(AxisTicks(within: 0...0.0004, targetCount: 4).labels == ["0", "1e-4", "2e-4", "3e-4", "4e-4"])
        #expect(AxisTicks.label(0.0012, step: 0.0002) == "1.2e-3")
        #expect(AxisTicks.label(3e6, step: 1e6) == "3e6")
        #expect(AxisTicks.label(-0.5, step: 0.5) == "-0.5")
        #expect(AxisTicks.label(0.30000000000000004, step: 0.1) == "0.3")
    }

    @Test func glyphTableCoversPrintableASCII() {
        #expect(BitmapFont.glyphPatterns.count == 95)
        for (index, pattern) in BitmapFont.glyphPatterns.enumerated() {
            let rows = pattern.split(separator: " ")
            #expect((7...9).contains(rows.count), "glyph \(index + 32)")
            #expect(
                rows.allSatisfy { $0.count == 5 && $0.allSatisfy { $0 == "#" || $0 == "." } }, "glyph \(index + 32)")
        }
        // Spot checks against the drawings: T's bar, 1's foot, the point of '.', g's descender.
        #expect((0..<5).allSatisfy { BitmapFont.isInked("T", column: $0, row: 0) })
        #expect(
            (1...3).allSatisfy { BitmapFont.isInked("1", column: $0, row: 6) }
                && !BitmapFont.isInked("1", column: 0, row: 6))
        #expect(BitmapFont.isInked(".", column: 1, row: 6) && !BitmapFont.isInked(".", column: 1, row: 4))
        #expect(BitmapFont.isInked("g", column: 2, row: 8) && !BitmapFont.isInked("a", column: 2, row: 8))
        #expect(BitmapFont.glyph(for: "é") == BitmapFont.glyph(for: "?"))
        #expect(BitmapFont.size(of: "Train cost", scale: 2) == (118, 18))
    }

    /// The pixels of `text` drawn at (x, y) and `scale` are `ink` exactly where the glyph bitmaps
    /// have ink, and `paper` everywhere else in the text's box.
    private func expectText(
        _ text: String, at x: Int, _ y: Int, scale: Int, in image: RGBImage, ink: RGBImage.Color, paper: RGBImage.Color
    ) {
        let size = BitmapFont.size(of: text, scale: scale)
        let characters = Array(text)
        var inked = 0
        for py in 0..<size.height {
            for px in 0..<size.width {
                let cell = px / scale / BitmapFont.advance
                let column = px / scale % BitmapFont.advance
                let row = py / scale
                let want = BitmapFont.isInked(characters[cell], column: column, row: row)
                #expect(image[x + px, y + py] == (want ? ink : paper), "'\(text)' pixel (\(px), \(py))")
                if want { inked += 1 }
            }
        }
        #expect(inked > 0)
    }

    @Test func fontDrawsTheGlyphBitmaps() throws {
        var canvas = RasterCanvas(width: 160, height: 30, background: .white)
        canvas.drawText("Train cost 0.5e-3 (1/2)%", x: 0, y: 0, scale: 1, color: .black)
        canvas.drawText("Test cost", x: 3, y: 10, scale: 2, color: .black)
        expectText("Train cost 0.5e-3 (1/2)%", at: 0, 0, scale: 1, in: canvas.image, ink: .black, paper: .white)
        expectText("Test cost", at: 3, 10, scale: 2, in: canvas.image, ink: .black, paper: .white)

        // In the plot, the legend's labels are where the layout says, untouched by the curves.
        let plot = tutorialLikePlot()
        let layout = plot.layout(width: 800, height: 500)
        let image = plot.render(width: 800, height: 500)
        #expect(layout.legendEntries.map(\.label.string) == ["Train cost", "Test cost"])
        for entry in layout.legendEntries {
            expectText(
                entry.label.string, at: entry.label.x, entry.label.y, scale: entry.label.scale, in: image,
                ink: PlotPalette.text, paper: PlotPalette.background)
        }
        let title = layout.title
        expectText(
            title.string, at: title.x, title.y, scale: title.scale, in: image, ink: PlotPalette.text,
            paper: PlotPalette.background)
    }

    @Test func verticalTextIsTheUprightTextTurnedAnticlockwise() {
        var upright = RasterCanvas(width: 30, height: 10, background: .white)
        upright.drawText("Cost", x: 0, y: 0, scale: 1, color: .black)
        var turned = RasterCanvas(width: 10, height: 30, background: .white)
        turned.drawVerticalText("Cost", x: 0, y: 0, scale: 1, color: .black)
        let length = BitmapFont.size(of: "Cost", scale: 1).width
        for y in 0..<BitmapFont.cellHeight {
            for x in 0..<length {
                #expect(turned[y, length - 1 - x] == upright[x, y], "(\(x), \(y))")
            }
        }
    }
}
