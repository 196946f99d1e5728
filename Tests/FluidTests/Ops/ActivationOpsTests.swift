import Foundation
import Testing

@testable import Fluid

@Suite struct ActivationOpsTests {
    // Inputs kept away from relu's kink so finite differences are meaningful.
    let x = Tensor.literal([2, 3], [-1.5, -0.4, 0.3, 0.8, 2.0, -2.2] as [Float])

    @Test func relu() throws {
        let t = OpTest("relu", inputs: ["X": x], outputs: ["Out"])
        try t.checkOutput("Out", shape: [2, 3], expected: x.scalars(as: Float.self).map { $0 > 0 ? $0 : 0 })
        try t.checkGradient(["X"], of: ["Out"])
    }

    /// Long enough for relu's SIMD loop and its scalar tail (111 = 6 * 16 + 15).
    @Test func reluOnVectors() throws {
        var rng = SeededGenerator(seed: 4)
        let values = (0..<111).map { _ in Float.random(in: 0.1...2, using: &rng) * (Bool.random(using: &rng) ? 1 : -1) }
        let t = try OpTest("relu", inputs: ["X": Tensor(shape: [3, 37], scalars: values)], outputs: ["Out"])
        try t.checkOutput("Out", shape: [3, 37], expected: values.map { $0 > 0 ? $0 : 0 })
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

    @Test func nonFloatInputIsRefusedByName() throws {
        let t = try OpTest("relu", inputs: ["X": Tensor(shape: [2], scalars: [1, -1] as [Int64])], outputs: ["Out"])
        do {
            _ = try t.run()
            Issue.record("relu of int64 must be refused")
        } catch {
            #expect(
                "\(error)".contains("'relu'") && "\(error)".contains("'X'") && "\(error)".contains("int64"), "\(error)")
        }
    }
}
