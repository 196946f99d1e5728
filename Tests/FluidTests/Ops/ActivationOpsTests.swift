import Foundation
import Testing
@testable import Fluid

@Suite struct ActivationOpsTests {
    // Inputs kept away from relu's kink so finite differences are meaningful.
    let x = Tensor(shape: [2, 3], scalars: [-1.5, -0.4, 0.3, 0.8, 2.0, -2.2] as [Float])

    @Test func relu() throws {
        let t = OpTest("relu", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 3], expected: x.scalars(as: Float.self).map { $0 > 0 ? $0 : 0 })
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func sigmoid() throws {
        let t = OpTest("sigmoid", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 3], expected: x.scalars(as: Float.self).map { 1 / (1 + exp(-$0)) })
        try t.checkGradient(["X"], of: ["Out"])
    }

    @Test func tanh() throws {
        let t = OpTest("tanh", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 3], expected: x.scalars(as: Float.self).map { Foundation.tanh($0) })
        try t.checkGradient(["X"], of: ["Out"])
    }
}
