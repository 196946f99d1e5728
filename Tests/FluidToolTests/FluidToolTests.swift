import ArgumentParser
import Fluid
import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import fluid

/// The `fluid` model tool's commands, parsed and run in process on PaddlePaddle's exported models,
/// checked through the files they write against Paddle's own outputs.
@Suite struct FluidToolTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// The first `count` MNIST test images and labels as IDX files, as `fluid run` reads them.
    func testImages(_ count: Int) throws -> (images: String, labels: String) {
        let test = try MNIST.test()
        let side = test.rows * test.columns
        let images = try directory.write(
            "images.idx",
            IDXTestFiles.bytes(
                dimensions: [count, test.rows, test.columns], data: Array(test.pixels.prefix(count * side))))
        let labels = try directory.write(
            "labels.idx", IDXTestFiles.bytes(dimensions: [count], data: Array(test.labels.prefix(count))))
        return (images, labels)
    }

    func floats(_ path: String) throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(
                bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(
                    bytes[i + 3]) << 24)
        }
    }

    /// `fluid run --output` writes Paddle's probabilities for the first 256 images, in every layout,
    /// with and without the inference passes.
    @Test(arguments: ["softmax", "cnn"])
    func runWritesPaddlesOutputs(_ model: String) throws {
        let (images, labels) = try testImages(256)
        let expected = try PaddleExports.expectedProbabilities(model)
        for (layout, optimize) in [(PaddleExports.Layout.combined, false), (.directory, true)] {
            let output = directory.file("\(model)-\(layout.rawValue).f32")
            var arguments = [PaddleExports.path(model, layout), "--images", images, "--labels", labels, "-o", output]
            if optimize { arguments.append("--optimize") }
            try Run.parse(arguments).run()
            let got = try floats(output)
            #expect(got.count == expected.count, "\(model) \(layout)")
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-5, "\(model) \(layout) optimize \(optimize): largest difference \(worst)")
        }
    }

    /// `fluid convert` to the other layout keeps every parameter's bytes and the program's ops.
    @Test func convertKeepsTheModel() throws {
        let source = PaddleExports.path("mlp", .combined)
        let out = directory.file("mlp-directory")
        try Convert.parse([source, out, "--layout", "directory"]).run()
        let original = try loadInferenceModel(from: source)
        let converted = try loadInferenceModel(from: out)
        #expect(converted.layout == .directory)
        #expect(converted.program.globalBlock.ops.map(\.type) == original.program.globalBlock.ops.map(\.type))
        #expect(converted.feedNames == original.feedNames && converted.fetchNames == original.fetchNames)
        for name in original.scope.localNames {
            let a = try #require(original.scope[name])
            let b = try #require(converted.scope[name], "\(name) after convert")
            #expect(a.shape == b.shape, "\(name)")
            #expect(try a.scalars(as: Float.self) == b.scalars(as: Float.self), "\(name)")
        }
    }

    /// `fluid convert MODEL OUT.onnx`: an ONNX file whose initializers hold the parameters'
    /// bytes; with --optimize, the fused ops' graph; a layout or an opset out of range refused.
    @Test func convertWritesONNX() throws {
        let source = PaddleExports.path("mlp", .combined)
        let out = directory.file("mlp.onnx")
        try Convert.parse([source, out]).run()
        let model = try ONNXModel(serialized: Data(contentsOf: URL(fileURLWithPath: out)), source: out)
        #expect(model.opset == 13 && model.graph.nodes.count == 10)
        let original = try loadInferenceModel(from: source)
        for name in original.scope.localNames {
            let tensor = try #require(original.scope[name])
            let initializer = try #require(model.graph.initializers.first { $0.name == name }, "\(name)")
            let values = try tensor.scalars(as: Float.self)
            #expect(initializer.dims == tensor.shape && initializer.values(as: Float.self) == values, "\(name)")
        }
        let optimized = directory.file("mlp-opt.onnx")
        try Convert.parse([source, optimized, "--optimize", "--opset", "17"]).run()
        let fused = try ONNXModel(serialized: Data(contentsOf: URL(fileURLWithPath: optimized)))
        #expect(fused.opset == 17 && fused.irVersion == 8)
        #expect(fused.graph.nodes.map(\.opType) == ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"])
        #expect(throws: (any Error).self) { try Convert.parse([source, out, "--layout", "directory"]).validate() }
        #expect(throws: (any Error).self) { try Convert.parse([source, out, "--opset", "12"]).validate() }
        #expect(throws: (any Error).self) { try Convert.parse([source, directory.file("x")]).validate() }
    }

    /// `fluid dot -o` writes a Graphviz graph holding every op of the model.
    @Test func dotWritesEveryOp() throws {
        let source = PaddleExports.path("cnn", .directory)
        let out = directory.file("cnn.dot")
        try Dot.parse([source, "-o", out]).run()
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("digraph"))
        for type in Set(try loadInferenceModel(from: source).program.globalBlock.ops.map(\.type)) {
            #expect(text.contains(type), "\(type) in the graph")
        }
    }

    /// A model path that does not exist is named in the error, and nothing is written.
    @Test func aMissingModelIsNamed() throws {
        let (images, _) = try testImages(4)
        let missing = directory.file("no-such-model")
        let output = directory.file("out.f32")
        let error = #expect(throws: (any Error).self) {
            try Run.parse([missing, "--images", images, "-o", output]).run()
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains(missing))
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(throws: (any Error).self) { _ = try Run.parse([missing, "--images", images, "--batch-size", "0"]) }
    }
}
