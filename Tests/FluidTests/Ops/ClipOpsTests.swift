import Foundation
import Testing

@testable import Fluid

@Suite struct ClipOpsTests {
    let x: Tensor

    init() throws { x = try Tensor(shape: [4], scalars: [-3, -0.5, 0.25, 4] as [Float]) }

    @Test func clipForwardAndGradient() throws {
        try OpTest("clip", inputs: ["X": x], attributes: ["min": .float(-1), "max": .float(2)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: [-1, -0.5, 0.25, 2])
        try OpTest("clip", inputs: ["X": x], attributes: ["min": .float(-1), "max": .float(2)], outputs: ["Out"])
            .checkGradient(["X"], of: ["Out"])
    }

    /// At a bound itself the gradient is 0, as in Paddle (finite differences cannot see this kink).
    @Test func clipGradientIsZeroAtTheBounds() throws {
        let atBounds = try Tensor(shape: [5], scalars: [-1, -0.999, 0, 1.999, 2] as [Float])
        let dout = try Tensor(shape: [5], scalars: [10, 20, 30, 40, 50] as [Float])
        try OpTest(
            "clip_grad", inputs: ["X": atBounds, "Out@GRAD": dout], attributes: ["min": .float(-1), "max": .float(2)],
            outputs: ["X@GRAD"]
        ).checkOutput("X@GRAD", shape: [5], expected: [0, 20, 30, 40, 0])
    }

    @Test func clipByNormAndSquaredNorm() throws {
        let norm = (9 + 0.25 + 0.0625 + 16 as Float).squareRoot()
        try OpTest("clip_by_norm", inputs: ["X": x], attributes: ["max_norm": .float(2)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: x.scalars(as: Float.self).map { $0 * 2 / norm })
        try OpTest("clip_by_norm", inputs: ["X": x], attributes: ["max_norm": .float(10)], outputs: ["Out"])
            .checkOutput("Out", shape: [4], expected: x.scalars(as: Float.self))
        try OpTest("squared_l2_norm", inputs: ["X": x], outputs: ["Out"]).checkOutput(
            "Out", shape: [1], expected: [norm * norm])
    }
}
