import Foundation
import Testing

@testable import Fluid

/// `ModelSummary` of Paddle's exported models, checked against the parameter shapes and op
/// lists in Paddle's own program summaries (../shared/fixtures/paddle/programs/*.summary.txt).
@Suite struct ModelSummaryTests {
    /// The parameters Paddle declares for each model, with their shapes.
    static let parameterShapes: [String: [String: [Int]]] = [
        "softmax": ["fc_0.w_0": [784, 10], "fc_0.b_0": [10]],
        "mlp": [
            "fc_0.w_0": [784, 200], "fc_0.b_0": [200], "fc_1.w_0": [200, 200], "fc_1.b_0": [200],
            "fc_2.w_0": [200, 10], "fc_2.b_0": [10],
        ],
        "cnn": [
            "conv2d_0.w_0": [20, 1, 5, 5], "conv2d_0.b_0": [20], "conv2d_1.w_0": [50, 20, 5, 5], "conv2d_1.b_0": [50],
            "batch_norm_0.w_0": [20], "batch_norm_0.b_0": [20], "batch_norm_0.w_1": [20], "batch_norm_0.w_2": [20],
            "fc_0.w_0": [800, 10], "fc_0.b_0": [10],
        ],
    ]

    static let cases = ["softmax", "mlp", "cnn"].flatMap { m in
        ["export/\(m)/\(m).pdmodel", "export/\(m)/fluid1x", "export/\(m)/full_attrs/\(m).pdmodel"].map { (m, $0) }
    }

    @Test(arguments: cases)
    func parametersAndTotalsFollowTheShapes(model: String, path: String) throws {
        let summary = ModelSummary(try loadInferenceModel(from: Fixtures.path(path)))
        let shapes = try #require(Self.parameterShapes[model])
        #expect(summary.parameters.map(\.name) == shapes.keys.sorted())
        for p in summary.parameters {
            let shape = try #require(shapes[p.name])
            var elements = 1
            for d in shape { elements *= d }
            #expect(p.shape == shape, "\(p.name)")
            #expect(p.elementCount == elements, "\(p.name)")
            #expect(p.byteCount == 4 * elements && p.dtype == .float32, "\(p.name)")
        }
        var total = 0
        for shape in shapes.values { total += shape.reduce(1, *) }
        #expect(summary.totalElements == total)
        #expect(summary.totalBytes == 4 * total)
        let text = summary.description
        #expect(text.contains("total: \(shapes.count) parameters"))
        #expect(text.contains(ModelSummary.humanBytes(4 * total)))
    }

    @Test func cnnSummaryListsFeedsFetchesOpsAndVariables() throws {
        let model = try loadInferenceModel(from: Fixtures.path("export/cnn/full_attrs/cnn.pdmodel"))
        let summary = ModelSummary(model)
        #expect(summary.feeds == ["img"])
        #expect(summary.fetches == ["fc_0.tmp_2"])
        #expect(
            summary.operations.map(\.type) == [
                "feed", "conv2d", "elementwise_add", "relu", "pool2d", "batch_norm", "conv2d",
                "elementwise_add", "relu", "pool2d", "mul", "elementwise_add", "softmax", "fetch",
            ])
        #expect(summary.operations.map(\.index) == Array(0..<14))
        let conv = summary.operations[1]
        #expect(conv.inputs.first { $0.slot == "Filter" }?.names == ["conv2d_0.w_0"])
        #expect(conv.outputs.first { $0.slot == "Output" }?.names == ["conv2d_0.tmp_0"])
        #expect(conv.attributes.first { $0.name == "strides" }?.value == .ints([1, 1]))
        // The full_attrs file carries Paddle's bookkeeping on every op; the summary drops it.
        let raw = model.program.globalBlock.ops[1].attributes.keys
        #expect(raw.contains("op_callstack") || raw.contains("op_role"))
        for op in summary.operations {
            #expect(
                !op.attributes.contains {
                    ["op_callstack", "op_namescope", "op_device", "op_role_var", "with_quant_attr", "op_role"].contains(
                        $0.name)
                })
        }
        let img = try #require(summary.variables.first { $0.name == "img" })
        #expect(img.shape == [-1, 1, 28, 28] && img.kind == .lodTensor && !img.persistable)
        let text = summary.description
        #expect(text.contains("img: float32 [?, 1, 28, 28]"))
        #expect(!text.contains("op_callstack"))
        for name in Self.parameterShapes["cnn", default: [:]].keys { #expect(text.contains(name)) }
        #expect(text.contains("33,660 elements"))  // 500 + 20 + 25,000 + 50 + 4 x 20 + 8,000 + 10
    }

    @Test(arguments: [
        (0, "0 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
        (134_640, "131.5 KiB"), (3 * 1024 * 1024 / 2, "1.5 MiB"), (5 << 30, "5.0 GiB"),
    ])
    func sizesReadInBinaryUnits(bytes: Int, text: String) {
        #expect(ModelSummary.humanBytes(bytes) == text)
    }

    @Test func groupedThousands() {
        #expect(ModelSummary.grouped(0) == "0")
        #expect(ModelSummary.grouped(999) == "999")
        #expect(ModelSummary.grouped(33_660) == "33,660")
        #expect(ModelSummary.grouped(1_234_567) == "1,234,567")
    }
}
