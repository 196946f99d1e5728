import Testing

@testable import Fluid

/// Layer arguments that used to trap in `Int32(...)` or index an empty list, and kernel sizes
/// that shape inference used to accept: each must throw naming the op and attribute.
@Suite struct LayerArgumentTests {
    private func builder() -> (ProgramBuilder, Variable) {
        let net = ProgramBuilder(main: Program(), startup: Program())
        return (net, net.data("img", shape: [-1, 1, 28, 28]))
    }

    private func expectAttributeError(_ op: String, _ name: String, _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard case .attribute(let o, let n, _)? = error as? FluidError else { return false }
            return o == op && n == name
        }
    }

    @Test func conv2dRefusesMalformedSizeLists() {
        let (net, img) = builder()
        expectAttributeError("conv2d", "filter_size") {
            _ = try net.conv2d(img, filters: 4, size: [], stride: [1, 1], padding: [0, 0])
        }
        expectAttributeError("conv2d", "filter_size") { _ = try net.conv2d(img, filters: 4, size: 0) }
        expectAttributeError("conv2d", "strides") {
            _ = try net.conv2d(img, filters: 4, size: [3, 3], stride: [1], padding: [0, 0])
        }
        expectAttributeError("conv2d", "paddings") { _ = try net.conv2d(img, filters: 4, size: 3, padding: -1) }
        expectAttributeError("conv2d", "filters") { _ = try net.conv2d(img, filters: 0, size: 3) }
    }

    @Test func valuesBeyondInt32Throw() {
        let (net, img) = builder()
        expectAttributeError("conv2d", "strides") { _ = try net.conv2d(img, filters: 4, size: 3, stride: 1 << 40) }
        expectAttributeError("pool2d", "ksize") { _ = try net.pool2d(img, size: 1 << 40) }
        expectAttributeError("pool2d", "strides") { _ = try net.pool2d(img, size: 2, stride: 1 << 40) }
        expectAttributeError("dropout", "seed") { _ = try net.dropout(img, prob: 0.5, seed: 1 << 40) }
        expectAttributeError("softmax", "axis") { _ = try net.softmax(img, axis: 1 << 40) }
        expectAttributeError("reshape2", "shape") { _ = try net.reshape(img, shape: [1 << 40]) }
    }

    /// A 0 x 0 filter, as a program file could hold it, made a 29 x 29 output from 28 x 28.
    @Test func conv2dShapeInferenceRefusesAZeroKernel() {
        let program = Program()
        let block = program.globalBlock
        block.addVar(VarDesc(name: "x", dtype: .float32, shape: [1, 1, 28, 28]))
        block.addVar(VarDesc(name: "w", dtype: .float32, shape: [20, 1, 0, 0]))
        let op = OpDesc(type: "conv2d", inputs: ["Input": ["x"], "Filter": ["w"]], outputs: ["Output": ["y"]])
        #expect {
            try block.appendInferred(op)
        } throws: { error in
            guard case .shapeMismatch(let o, let slot, let message)? = error as? FluidError else { return false }
            return o == "conv2d" && slot == "Filter" && message.contains("0 x 0")
        }
    }

    @Test func pool2dShapeInferenceRefusesAZeroKernel() {
        let program = Program()
        let block = program.globalBlock
        block.addVar(VarDesc(name: "x", dtype: .float32, shape: [1, 1, 28, 28]))
        let op = OpDesc(
            type: "pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["y"]],
            attributes: ["ksize": .ints([0, 0]), "pooling_type": .string("max")])
        #expect(
            throws: FluidError.attribute(
                op: "pool2d", name: "ksize", message: "should hold values of at least 1, found [0, 0]")
        ) {
            try block.appendInferred(op)
        }
    }
}
