import FluidData
import Foundation

/// The training-cost plot of the "Recognize Digits" tutorial, as its
/// `Ploter("Train cost", "Test cost")` draws: the train cost of each logged step as a blue
/// line and the test cost of each epoch as an orange line with markers, against the global
/// step. Written as PNG (drawn here, with a built-in bitmap font) or SVG.
///
/// ```swift
/// var plot = CostPlot(title: "Recognize Digits: cnn on MNIST")
/// plot.trainCost.append(PlotPoint(step: 0, cost: 2.3))
/// plot.trainCost.append(PlotPoint(step: 100, cost: 0.41))
/// plot.testCost.append(PlotPoint(step: 938, cost: 0.06))
/// try plot.writePNG(to: "train_cost.png")
/// ```
///
/// Points are joined in the order given. Costs that are not finite (NaN, ±infinity) are
/// skipped. The step axis spans the steps of both series; the cost axis starts at 0 (or at the
/// lowest cost when one is negative) and ends at the first tick 5% or more above the highest
/// cost. Empty series draw only the axes.
public struct CostPlot: Sendable, Equatable {
    public var title: String
    public var trainCost: [PlotPoint] = []
    public var testCost: [PlotPoint] = []

    public init(title: String) {
        self.title = title
    }

    /// The largest width or height drawn (8,192 pixels): `render` and `svg` clamp their sides
    /// to `1...maximumSide`; the writers refuse sizes outside it rather than write another size.
    public static let maximumSide = 8192

    /// The train points that are drawn: those with a finite cost.
    var drawnTrainCost: [PlotPoint] { trainCost.filter { $0.cost.isFinite } }
    /// The test points that are drawn: those with a finite cost.
    var drawnTestCost: [PlotPoint] { testCost.filter { $0.cost.isFinite } }

    /// Where everything goes in a picture of `width` x `height` pixels.
    func layout(width: Int, height: Int) -> PlotLayout {
        PlotLayout(title: title, train: drawnTrainCost, test: drawnTestCost, width: width, height: height)
    }

    /// Writes the plot as an 8-bit RGB PNG, atomically. Errors are `DataError.cannotWrite`
    /// naming `path` (also for a side outside `1...maximumSide`).
    public func writePNG(to path: String, width: Int = 800, height: Int = 500) throws {
        try Self.checkSize(width: width, height: height, path: path)
        try render(width: width, height: height).writePNG(to: path)
    }

    /// Writes the plot as SVG, atomically. Errors are `DataError.cannotWrite` naming `path`
    /// (also for a side outside `1...maximumSide`).
    public func writeSVG(to path: String, width: Int = 800, height: Int = 500) throws {
        try Self.checkSize(width: width, height: height, path: path)
        try writeAtomically(Data(svg(width: width, height: height).utf8), to: path)
    }

    private static func checkSize(width: Int, height: Int, path: String) throws {
        let sides = 1...maximumSide
        guard sides.contains(width), sides.contains(height) else {
            throw DataError.cannotWrite(
                path: path,
                reason: "a plot of \(width) x \(height) pixels is outside the limit of 1 to \(maximumSide) a side")
        }
    }
}
