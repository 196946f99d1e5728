import Testing

@testable import Fluid

@Suite struct UnaryMathOpsTests {
    @Test func sqrtAndSign() throws {
        let x = try Tensor(shape: [3], scalars: [0.25, 4, 9] as [Float])
        try OpTest("sqrt", inputs: ["X": x], outputs: ["Out"]).checkOutput("Out", shape: [3], expected: [0.5, 2, 3])
        try OpTest("sqrt", inputs: ["X": x], outputs: ["Out"]).checkGradient(["X"], of: ["Out"])
        let y = try Tensor(shape: [3], scalars: [-2, 0, 0.1] as [Float])
        try OpTest("sign", inputs: ["X": y], outputs: ["Out"]).checkOutput("Out", shape: [3], expected: [-1, 0, 1])
    }
}
