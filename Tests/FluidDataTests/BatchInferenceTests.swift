import Fluid
import FluidData
import FluidTestSupport
import Foundation
import Testing

/// Paddle's exported models run through `BatchInference` on real MNIST test images, checked
/// against the outputs PaddlePaddle 3.3.1 computed for the same images.
@Suite struct BatchInferenceTests {
    static let cases = PaddleExports.models.flatMap { m in PaddleExports.Layout.allCases.map { (m, $0) } }

    @Test(arguments: cases)
    func first256OutputsMatchPaddle(model name: String, layout: PaddleExports.Layout) throws {
        let model = try loadInferenceModel(from: PaddleExports.path(name, layout))
        let images = InferenceImages(try RealData.mnistTest.get()).prefix(256)
        let result = try BatchInference(model: model, batchSize: 64).run(images)
        let expected = try PaddleExports.expectedProbabilities(name)
        #expect(expected.count == 256 * 10)
        #expect(result.outputs.shape == [256, 10])
        let got = try result.outputs.scalars(as: Float.self)
        let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(got.count == expected.count && worst <= 1e-5, "largest difference from Paddle: \(worst)")
        #expect(result.predictions == (try PaddleExports.expectedLabels(name)))
    }

    @Test(arguments: zip(PaddleExports.models, [PaddleExports.Layout.combined, .directory, .combined]))
    func allTestImagesGivePaddlesCorrectCount(model name: String, layout: PaddleExports.Layout) throws {
        let model = try loadInferenceModel(from: PaddleExports.path(name, layout))
        let result = try BatchInference(model: model).run(InferenceImages(try RealData.mnistTest.get()))
        let nCorrect = try #require(try PaddleExports.expected(name)["n_correct"] as? Int)
        #expect(result.count == 10_000)
        #expect(result.correct == nCorrect)
        #expect(
            result.accuracyLine == "accuracy: " + String(format: "%.4f", Double(nCorrect) / 10_000)
                + " (\(nCorrect)/10000)")
    }

    @Test(arguments: ModelLayout.allCases)
    func aConvertedModelComputesTheSame(layout: ModelLayout) throws {
        let original = try loadInferenceModel(from: PaddleExports.path("cnn", .fullAttributes))
        let directory = try TemporaryDirectory()
        let out = directory.file("converted")
        try saveInferenceModel(
            to: out, feeds: original.feedNames, fetches: original.fetchNames, program: original.program,
            scope: original.scope, layout: layout)
        let converted = try loadInferenceModel(from: out)
        #expect(converted.layout == layout)
        let result = try BatchInference(model: converted).run(InferenceImages(try RealData.mnistTest.get()).prefix(64))
        let expected = try PaddleExports.expectedProbabilities("cnn").prefix(640)
        #expect(try zip(result.outputs.scalars(as: Float.self), expected).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func batchSizeDoesNotChangeTheOutputs() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("mlp", .combined))
        let images = InferenceImages(try RealData.mnistTest.get()).prefix(100)
        let whole = try BatchInference(model: model, batchSize: 100).run(images).outputs.scalars(as: Float.self)
        let pieces = try BatchInference(model: model, batchSize: 7).run(images).outputs.scalars(as: Float.self)
        let expected = try PaddleExports.expectedProbabilities("mlp").prefix(1000)
        #expect(zip(whole, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(zip(pieces, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
        #expect(whole.count == 1000 && pieces.count == 1000)
    }

    @Test func imagesOfAnotherSizeAreRefusedNamingTheFeed() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("softmax", .combined))
        let images = try InferenceImages(
            source: "big.idx", count: 2, rows: 32, columns: 32,
            pixels: [UInt8](repeating: 0, count: 2 * 32 * 32))
        #expect {
            _ = try BatchInference(model: model).run(images)
        } throws: { error in
            guard case .feedMismatch(let variable, let problem)? = error as? DataError else { return false }
            return variable == "img" && problem.contains("[-1, 1, 28, 28]") && problem.contains("[2, 1, 32, 32]")
                && problem.contains("big.idx")
        }
    }

    @Test func aFeedDeclaredForOtherImagesIsRefusedNamingIt() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("cnn", .directory))
        model.program.globalBlock.updateVar("img") { $0.shape = [-1, 3, 28, 28] }
        let images = InferenceImages(try RealData.mnistTest.get()).prefix(4)
        #expect {
            _ = try BatchInference(model: model).run(images)
        } throws: { error in
            guard case .feedMismatch(let variable, let problem)? = error as? DataError else { return false }
            return variable == "img" && problem.contains("[-1, 3, 28, 28]") && problem.contains("[4, 1, 28, 28]")
                && "\(error)".hasPrefix("Feed 'img':")
        }
    }

    @Test func aFlatFeedTakesTheImagesReshaped() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("softmax", .combined))
        model.program.globalBlock.updateVar("img") { $0.shape = [-1, 784] }
        let result = try BatchInference(model: model).run(InferenceImages(try RealData.mnistTest.get()).prefix(256))
        let expected = try PaddleExports.expectedProbabilities("softmax")
        #expect(try zip(result.outputs.scalars(as: Float.self), expected).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func aFixedBatchSizeMustDivideTheImages() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("softmax", .combined))
        model.program.globalBlock.updateVar("img") { $0.shape = [8, 1, 28, 28] }
        let test = InferenceImages(try RealData.mnistTest.get())
        let result = try BatchInference(model: model, batchSize: 64).run(test.prefix(32))
        #expect(result.outputs.shape == [32, 10])
        #expect(throws: DataError.self) { _ = try BatchInference(model: model).run(test.prefix(30)) }
    }

    @Test func labelsMustBeOnePerImage() throws {
        #expect(throws: DataError.self) {
            _ = try InferenceImages(source: "x", count: 2, rows: 1, columns: 1, pixels: [0, 0], labels: [1])
        }
        #expect(throws: DataError.self) {
            _ = try InferenceImages(source: "x", count: 3, rows: 1, columns: 1, pixels: [0, 0])
        }
        let directory = MNIST.directory
        #expect {
            _ = try InferenceImages(
                imagesFile: directory + "/t10k-images-idx3-ubyte.gz",
                labelsFile: directory + "/train-labels-idx1-ubyte.gz")
        } throws: { error in
            guard case .countMismatch(_, let images, _, let labels)? = error as? DataError else { return false }
            return images == 10_000 && labels == 60_000
        }
        #expect(throws: DataError.self) {
            _ = try InferenceImages(imagesFile: directory + "/t10k-labels-idx1-ubyte.gz")
        }
    }

    @Test func batchSizeMustBePositive() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("softmax", .combined))
        #expect(throws: FluidError.self) { _ = try BatchInference(model: model, batchSize: 0) }
    }

    @Test func accuracyIsTheShareOfRowsWhoseArgmaxIsTheLabel() throws {
        // Rows: argmax 1, 0 (a tie goes to the first), 2; labels 1, 1, 2: two of three correct.
        let outputs = try Tensor(shape: [3, 3], scalars: [0.1, 0.7, 0.2, 0.5, 0.5, 0, -3, -2, -1] as [Float])
        let result = try BatchInferenceResult(outputs: outputs, labels: [1, 1, 2])
        #expect(result.predictions == [1, 0, 2])
        #expect(result.correct == 2)
        #expect(result.accuracyLine == "accuracy: 0.6667 (2/3)")
        #expect(try BatchInferenceResult(outputs: outputs, labels: nil).accuracyLine == nil)
    }

    @Test func outputsAreWrittenAsLittleEndianFloat32() throws {
        let outputs = try Tensor(shape: [2, 2], scalars: [1, -2, 0.5, 3] as [Float])
        let result = try BatchInferenceResult(outputs: outputs, labels: nil)
        let directory = try TemporaryDirectory()
        try result.writeOutputs(to: directory.file("out.f32"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.file("out.f32"))))
        // 1.0 = 0x3F800000, -2.0 = 0xC0000000, 0.5 = 0x3F000000, 3.0 = 0x40400000.
        #expect(bytes == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F, 0, 0, 0x40, 0x40])
        #expect {
            try result.writeOutputs(to: directory.file("missing/out.f32"))
        } throws: { error in
            guard case .cannotWrite(let path, _)? = error as? DataError else { return false }
            return path == directory.file("missing/out.f32")
        }
    }
}
