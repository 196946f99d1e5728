import Testing

@testable import Fluid

/// fused_conv2d against the direct convolution plus bias and relu, and its gradient rule
/// against central differences.
@Suite struct FusedConvOpsTests {
    /// Strides, asymmetric padding and groups, batch 3 (split over the cores).
    static let geometry = ConvOpsTests.Case(
        input: [3, 4, 6, 5], filter: [6, 2, 3, 2], strides: [1, 2], groups: 2, paddings: [1, 2, 0, 1])

    func test(activation: String, bias: Bool = true) -> OpTest {
        var inputs = [
            "Input": Tensor.random(Self.geometry.input, seed: 3),
            "Filter": Tensor.random(Self.geometry.filter, seed: 5),
        ]
        if bias { inputs["Bias"] = Tensor.random([6], seed: 9) }
        var attributes = Self.geometry.attributes
        attributes["fuse_activation"] = .string(activation)
        return OpTest("fused_conv2d", inputs: inputs, attributes: attributes, outputs: ["Output"])
    }

    @Test(arguments: ["", "relu"]) func forwardIsConvPlusBiasThenActivation(activation: String) throws {
        let t = test(activation: activation)
        let (shape, conv) = try Self.geometry.reference(
            t.inputs["Input"]![0].scalars(as: Float.self), t.inputs["Filter"]![0].scalars(as: Float.self))
        let bias = try t.inputs["Bias"]![0].scalars(as: Float.self)
        let plane = shape[2] * shape[3]
        let expected = conv.indices.map { i -> Float in
            let v = conv[i] + bias[(i / plane) % shape[1]]
            return activation == "relu" ? max(v, 0) : v
        }
        #expect(expected.contains { $0 == 0 } == (activation == "relu"), "the relu case clips some outputs")
        try t.checkOutput("Output", shape: shape, expected: expected)
    }

    @Test func withoutBiasItIsConv2d() throws {
        let t = test(activation: "", bias: false)
        let (shape, conv) = try Self.geometry.reference(
            t.inputs["Input"]![0].scalars(as: Float.self), t.inputs["Filter"]![0].scalars(as: Float.self))
        try t.checkOutput("Output", shape: shape, expected: conv)
    }

    @Test(arguments: ["", "relu"]) func gradientMatchesFiniteDifferences(activation: String) throws {
        try test(activation: activation).checkGradient(["Input", "Filter", "Bias"], of: ["Output"])
    }

    @Test func otherActivationsAreRefusedByName() throws {
        let message = thrownMessage { _ = try test(activation: "sigmoid").run() }
        #expect(message?.contains("fuse_activation") == true && message?.contains("sigmoid") == true)
        var t = test(activation: "relu")
        t.inputs["Bias"] = [Tensor.random([5], seed: 1)]
        #expect(thrownMessage { _ = try t.run() }?.contains("Bias") == true)
    }
}
