import Foundation
import Testing

@testable import Fluid

/// ONNX export: the bytes, decoded back through protoc-c's code, hold the graph the mapping
/// table (Specs/onnx-export.md) says, worked out by hand for small programs: node types and
/// order, attributes, initializer shapes and bytes, typed inputs and outputs with a symbolic
/// batch. That ONNX Runtime computes what the executor computes is checked by Tools/check-onnx.
@Suite struct ONNXExportTests {
    /// A program under construction: `x` fed, parameters in a scope, ops appended in order.
    struct Net {
        let program = Program()
        let scope = Scope()
        var fetches: [String] = []

        init(input: [Int]) {
            program.globalBlock.addVar(VarDesc(name: "x", shape: input, needCheckFeed: true))
        }

        func parameter(_ name: String, _ shape: [Int], _ values: [Float]) throws {
            program.globalBlock.addVar(VarDesc(name: name, shape: shape, persistable: true, isParameter: true))
            scope.set(name, try Tensor(shape: shape, scalars: values))
        }

        func op(
            _ type: String, _ inputs: [String: [String]], _ outputs: [String: [String]],
            _ attributes: [String: Attribute] = [:]
        ) {
            for name in outputs.values.joined() where program.globalBlock.findVar(name) == nil {
                program.globalBlock.addVar(VarDesc(name: name))
            }
            program.globalBlock.appendOp(OpDesc(type: type, inputs: inputs, outputs: outputs, attributes: attributes))
        }

        func export(_ fetches: [String], opset: Int = 13) throws -> ONNXModel {
            let data = try exportONNX(program: program, scope: scope, feeds: ["x"], fetches: fetches, opset: opset)
            return try ONNXModel(serialized: data)
        }
    }

    @Test func aSmallConvNetDecodesToTheExpectedGraph() throws {
        var net = Net(input: [-1, 2, 5, 5])
        let filter = (0..<54).map { Float($0) * 0.01 }
        try net.parameter("w", [3, 2, 3, 3], filter)
        try net.parameter("b", [3], [0.5, -1, 2])
        // Conv: H (5 + 1 + 0 - 3) / 2 + 1 = 2, W (5 + 2 + 1 - 3) / 2 + 1 = 3; pool 2 x 2 -> [N, 3, 1, 2].
        try net.parameter("fcw", [6, 4], (0..<24).map { Float($0) })
        net.op(
            "conv2d", ["Input": ["x"], "Filter": ["w"]], ["Output": ["c"]],
            [
                "strides": .ints([2, 2]), "paddings": .ints([1, 0, 2, 1]), "dilations": .ints([1, 1]),
                "groups": .int(1),
            ])
        net.op("elementwise_add", ["X": ["c"], "Y": ["b"]], ["Out": ["a"]], ["axis": .int(1)])
        net.op("relu", ["X": ["a"]], ["Out": ["r"]])
        net.op(
            "pool2d", ["X": ["r"]], ["Out": ["p"]],
            [
                "pooling_type": .string("avg"), "ksize": .ints([2, 2]), "strides": .ints([1, 1]),
                "paddings": .ints([0, 0]), "ceil_mode": .bool(true), "exclusive": .bool(false),
            ])
        net.op("mul", ["X": ["p"], "Y": ["fcw"]], ["Out": ["m"]], ["x_num_col_dims": .int(1)])
        net.op("softmax", ["X": ["m"]], ["Out": ["y"]], ["axis": .int(-1)])
        let model = try net.export(["y"])

        #expect(model.irVersion == 7 && model.opset == 13 && model.producerName == "SwiftFluid")
        let g = model.graph
        #expect(g.nodes.map(\.opType) == ["Conv", "Add", "Relu", "AveragePool", "Flatten", "MatMul", "Softmax"])
        #expect(
            g.nodes.map(\.name) == [
                "conv2d_0", "elementwise_add_1", "relu_2", "pool2d_3", "mul_4", "mul_4.1", "softmax_5",
            ])
        #expect(g.nodes[0].docString.hasPrefix("Paddle op 0: Output=c"))
        // Paddle's [top, bottom, left, right] = [1, 0, 2, 1] is ONNX's [top, left, bottom, right].
        let conv = g.nodes[0]
        #expect(conv.inputs == ["x", "w"] && conv.outputs == ["c"])
        #expect(conv.attribute("pads") == .ints([1, 2, 0, 1]) && conv.attribute("strides") == .ints([2, 2]))
        #expect(conv.attribute("kernel_shape") == .ints([3, 3]) && conv.attribute("group") == .int(1))
        // The bias [3] at axis 1 of NCHW is written [3, 1, 1].
        #expect(g.nodes[1].inputs == ["c", "b.broadcast2"])
        let bias = try #require(g.initializers.first { $0.name == "b.broadcast2" })
        #expect(bias.dims == [3, 1, 1] && bias.elementType == .float && bias.values(as: Float.self) == [0.5, -1, 2])
        let pool = g.nodes[3]
        #expect(pool.attribute("ceil_mode") == .int(1) && pool.attribute("count_include_pad") == .int(1))
        #expect(pool.attribute("kernel_shape") == .ints([2, 2]) && pool.attribute("pads") == .ints([0, 0, 0, 0]))
        #expect(g.nodes[4].attribute("axis") == .int(1) && g.nodes[5].inputs == [g.nodes[4].outputs[0], "fcw"])
        #expect(g.nodes[6].attribute("axis") == .int(-1))
        // Parameters become initializers with their bytes; only those read.
        #expect(Set(g.initializers.map(\.name)) == ["w", "b.broadcast2", "fcw"])
        let w = try #require(g.initializers.first { $0.name == "w" })
        #expect(w.dims == [3, 2, 3, 3] && w.values(as: Float.self) == filter)
        // The batch is symbolic in the typed input and output.
        #expect(
            g.inputs == [
                ONNXValueInfo(
                    name: "x", elementType: .float, shape: [.parameter("N"), .value(2), .value(5), .value(5)])
            ])
        #expect(g.outputs == [ONNXValueInfo(name: "y", elementType: .float, shape: [.parameter("N"), .value(4)])])
    }

    @Test func samePaddingGlobalPoolingAndExclusiveAveraging() throws {
        var net = Net(input: [-1, 1, 6, 6])
        try net.parameter("w", [2, 1, 3, 3], Array(repeating: 0.1, count: 18))
        net.op(
            "conv2d", ["Input": ["x"], "Filter": ["w"]], ["Output": ["c"]],
            ["padding_algorithm": .string("SAME"), "paddings": .ints([1, 1])])
        net.op(
            "pool2d", ["X": ["c"]], ["Out": ["p"]],
            [
                "pooling_type": .string("avg"), "ksize": .ints([3, 3]), "paddings": .ints([1, 1]),
                "exclusive": .bool(true),
            ])
        net.op(
            "pool2d", ["X": ["p"]], ["Out": ["g"]],
            ["pooling_type": .string("max"), "global_pooling": .bool(true), "ksize": .ints([1, 1])])
        let g = try net.export(["g"]).graph
        #expect(g.nodes.map(\.opType) == ["Conv", "AveragePool", "GlobalMaxPool"])
        #expect(g.nodes[0].attribute("auto_pad") == .string("SAME_UPPER") && g.nodes[0].attribute("pads") == nil)
        #expect(
            g.nodes[1].attribute("count_include_pad") == .int(0) && g.nodes[1].attribute("pads") == .ints([1, 1, 1, 1]))
    }

    @Test func anAxisBroadcastOfAComputedValueGoesThroughUnsqueeze() throws {
        let net = Net(input: [-1, 3, 4, 5])
        net.program.globalBlock.addVar(VarDesc(name: "y", shape: [-1, 3], needCheckFeed: true))
        net.op("elementwise_add", ["X": ["x"], "Y": ["y"]], ["Out": ["o"]], ["axis": .int(0)])
        let data = try exportONNX(program: net.program, scope: net.scope, feeds: ["x", "y"], fetches: ["o"])
        let g = try ONNXModel(serialized: data).graph
        #expect(g.nodes.map(\.opType) == ["Unsqueeze", "Add"])
        let axes = try #require(g.initializers.first { $0.name == g.nodes[0].inputs[1] })
        #expect(axes.elementType == .int64 && axes.dims == [2] && axes.values(as: Int64.self) == [2, 3])
        #expect(g.nodes[1].inputs == ["x", g.nodes[0].outputs[0]])
        #expect(g.inputs.map(\.name) == ["x", "y"])
    }

    @Test func dropoutInBothImplementations() throws {
        let net = Net(input: [-1, 4])
        net.op(
            "dropout", ["X": ["x"]], ["Out": ["a"]],
            [
                "dropout_prob": .float(0.25), "is_test": .bool(true),
                "dropout_implementation": .string("downgrade_in_infer"),
            ])
        net.op(
            "dropout", ["X": ["a"]], ["Out": ["b"]],
            [
                "dropout_prob": .float(0.5), "is_test": .bool(true),
                "dropout_implementation": .string("upscale_in_train"),
            ])
        let g = try net.export(["b"]).graph
        #expect(g.nodes.map(\.opType) == ["Mul", "Identity"])
        let keep = try #require(g.initializers.first { $0.name == g.nodes[0].inputs[1] })
        #expect(keep.dims == [] && keep.values(as: Float.self) == [0.75])
    }

    @Test(arguments: [true, false]) func scaleWithItsBiasBeforeOrAfter(biasAfterScale: Bool) throws {
        let net = Net(input: [-1, 4])
        net.op(
            "scale", ["X": ["x"]], ["Out": ["y"]],
            ["scale": .float(3), "bias": .float(-0.5), "bias_after_scale": .bool(biasAfterScale)])
        let g = try net.export(["y"]).graph
        #expect(g.nodes.map(\.opType) == (biasAfterScale ? ["Mul", "Add"] : ["Add", "Mul"]))
        let constants = g.nodes.map { node in g.initializers.first { $0.name == node.inputs[1] }?.values(as: Float.self)
        }
        #expect(constants == (biasAfterScale ? [[3], [-0.5]] : [[-0.5], [3]]))
        #expect(
            g.nodes[0].inputs[0] == "x" && g.nodes[1].inputs[0] == g.nodes[0].outputs[0] && g.nodes[1].outputs == ["y"])
    }

    /// ONNX assigns each value once: an in-place op's output continues as NAME.1.
    @Test func aVariableWrittenTwiceIsRenamed() throws {
        let net = Net(input: [-1, 4])
        net.op("relu", ["X": ["x"]], ["Out": ["h"]])
        net.op("scale", ["X": ["h"]], ["Out": ["h"]], ["scale": .float(2)])
        net.op("tanh", ["X": ["h"]], ["Out": ["y"]])
        let g = try net.export(["h", "y"]).graph
        #expect(g.nodes.map(\.outputs) == [["h"], ["h.1"], ["y"]])
        #expect(g.nodes[1].inputs[0] == "h" && g.nodes[2].inputs == ["h.1"])
        #expect(g.outputs.map(\.name) == ["h.1", "y"])
    }

    @Test func anOpWithoutAMappingIsNamedWithTheOpsThatExport() throws {
        let net = Net(input: [-1, 3, 4])
        net.op("reduce_mean", ["X": ["x"]], ["Out": ["s"]], ["dim": .ints([2]), "keep_dim": .bool(false)])
        let message = thrownMessage { _ = try net.export(["s"]) }
        #expect(message?.contains("op 0 'reduce_mean' has no ONNX mapping") == true, "\(message ?? "")")
        #expect(message?.contains("conv2d") == true && message?.contains("softmax") == true, "\(message ?? "")")
        let opset = thrownMessage { _ = try ONNXExporter(opset: 11) }
        #expect(opset?.contains("opset") == true && opset?.contains("13") == true, "\(opset ?? "")")
    }

    @Test func fullyConnectedAndMatrixProducts() throws {
        var net = Net(input: [-1, 2, 3, 4])
        try net.parameter("w", [24, 5], Array(repeating: 0.5, count: 120))
        try net.parameter("bias", [5], [1, 2, 3, 4, 5])
        try net.parameter("w2", [4, 6], Array(repeating: 1, count: 24))
        try net.parameter("m", [2, 6], Array(repeating: 1, count: 12))
        net.op(
            "fc", ["Input": ["x"], "W": ["w"], "Bias": ["bias"]], ["Out": ["f"]],
            ["in_num_col_dims": .int(1), "activation_type": .string("relu")])
        // x_num_col_dims 3 keeps [N, 2, 3] and multiplies the last axis: [N, 2, 3, 6].
        net.op("mul", ["X": ["x"], "Y": ["w2"]], ["Out": ["g"]], ["x_num_col_dims": .int(3)])
        net.op("matmul_v2", ["X": ["g"], "Y": ["m"]], ["Out": ["h"]], ["trans_y": .bool(true)])
        net.op("reshape2", ["X": ["h"]], ["Out": ["r"], "XShape": ["rs"]], ["shape": .ints([0, -1])])
        net.op(
            "flatten_contiguous_range", ["X": ["h"]], ["Out": ["fl"]], ["start_axis": .int(1), "stop_axis": .int(2)])
        let model = try net.export(["f", "r", "fl"])
        let g = model.graph
        #expect(
            g.nodes.map(\.opType) == [
                "Flatten", "Gemm", "Relu", "Flatten", "MatMul", "Reshape", "Transpose", "MatMul", "Reshape", "Reshape",
            ])
        #expect(g.nodes[1].inputs == [g.nodes[0].outputs[0], "w", "bias"] && g.nodes[2].outputs == ["f"])
        #expect(g.nodes[3].attribute("axis") == .int(3))
        func constant(_ node: Int) -> [Int64]? {
            g.initializers.first { $0.name == g.nodes[node].inputs[1] }?.values(as: Int64.self)
        }
        #expect(constant(5) == [-1, 2, 3, 6])
        // trans_y: Y [2, 6] transposed on its last two axes.
        #expect(g.nodes[6].inputs == ["m"] && g.nodes[6].attribute("perm") == .ints([1, 0]))
        #expect(g.nodes[7].inputs == ["g", g.nodes[6].outputs[0]])
        #expect(constant(8) == [0, -1])
        // [N, 2, 3, 2] flattened over axes 1...2: [0, -1, 2].
        #expect(constant(9) == [0, -1, 2] && g.nodes[9].outputs == ["fl"])
        #expect(
            g.outputs.map(\.shape) == [
                [.parameter("N"), .value(5)], [.parameter("N"), .value(12)], [.parameter("N"), .value(6), .value(2)],
            ])
    }

    @Test func fusedConvolutionAndBatchNorm() throws {
        var net = Net(input: [-1, 1, 4, 4])
        try net.parameter("w", [2, 1, 1, 1], [1, 2])
        try net.parameter("b", [2], [0, 1])
        for name in ["s", "o", "mean", "var"] { try net.parameter(name, [2], [1, 1]) }
        net.op(
            "fused_conv2d", ["Input": ["x"], "Filter": ["w"], "Bias": ["b"]], ["Output": ["c"]],
            ["fuse_activation": .string("relu"), "paddings": .ints([0, 0])])
        net.op(
            "batch_norm", ["X": ["c"], "Scale": ["s"], "Bias": ["o"], "Mean": ["mean"], "Variance": ["var"]],
            ["Y": ["y"], "MeanOut": ["mean"], "VarianceOut": ["var"], "SavedMean": ["sm"], "SavedVariance": ["sv"]],
            ["epsilon": .float(1e-3), "is_test": .bool(true)])
        let g = try net.export(["y"]).graph
        #expect(g.nodes.map(\.opType) == ["Conv", "Relu", "BatchNormalization"])
        #expect(g.nodes[0].inputs == ["x", "w", "b"] && g.nodes[1].inputs == g.nodes[0].outputs)
        #expect(g.nodes[2].inputs == ["c", "s", "o", "mean", "var"] && g.nodes[2].attribute("epsilon") == .float(1e-3))
    }

    @Test func everyMappedOpIsOneSwiftFluidRuns() {
        #expect(ONNXOpMappers.table.keys.filter { !OpRegistry.contains($0) }.isEmpty)
    }

    /// The PaddlePaddle fixtures, node by node as the table maps them.
    @Test(arguments: [
        ("softmax", ["Flatten", "MatMul", "Add", "Softmax"]),
        ("mlp", ["Flatten", "MatMul", "Add", "Relu", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax"]),
        (
            "cnn",
            [
                "Conv", "Add", "Relu", "MaxPool", "BatchNormalization", "Conv", "Add", "Relu", "MaxPool", "Flatten",
                "MatMul", "Add", "Softmax",
            ]
        ),
    ])
    func paddlesModelsExport(model: String, nodes: [String]) throws {
        for layout in ["export/\(model)", "export/\(model)/fluid1x"] {
            let loaded = try loadInferenceModel(from: Fixtures.path(layout))
            let data = try exportONNX(
                program: loaded.program, scope: loaded.scope, feeds: loaded.feedNames, fetches: loaded.fetchNames)
            let g = try ONNXModel(serialized: data).graph
            #expect(g.nodes.map(\.opType) == nodes, "\(layout)")
            let parameters = loaded.program.globalBlock.vars.filter { $0.persistable && $0.kind == .lodTensor }
            #expect(g.initializers.count == parameters.count, "\(layout)")
            #expect(g.inputs.map(\.name) == ["img"] && g.outputs.map(\.name) == loaded.fetchNames)
        }
    }
}
