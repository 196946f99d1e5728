import Fluid
import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import RecognizeDigits

/// `DigitRecognizer` with a model trained here on real MNIST, on real test digits stored as
/// PNG files of every colour type, several bit depths and sizes.
@Suite struct DigitRecognizerTests {
    let trained: TrainedDigitModel
    let directory: TemporaryDirectory

    init() throws {
        trained = try TrainedDigitModel.shared.get()
        directory = try TemporaryDirectory()
    }

    /// One PNG per digit 0...9 in `variant`, named by the digit.
    func writeDigits(_ variant: DigitPNG, prefix: String = "digit") throws -> [String] {
        try trained.samples.enumerated().map { digit, index in
            try directory.write("\(prefix)-\(digit).png", variant.encode(trained.pixels(index)))
        }
    }

    @Test(arguments: DigitPNG.all)
    func recognisesRealDigitsInEveryPNGKind(variant: DigitPNG) throws {
        let recognizer = try DigitRecognizer(modelPath: trained.path)
        let paths = try writeDigits(variant)
        let results = try recognizer.recognize(paths).map { try $0.get() }
        #expect(results.map(\.digit) == Array(0..<10), "true labels 0...9")
        #expect(results.map(\.path) == paths)
        if variant.isExact {
            // The same pixels as the dataset's, so the same probabilities as feeding it.
            for (result, expected) in zip(results, trained.sampleScores) {
                let worst = zip(result.scores, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= 1e-5, "\(result.path): largest difference \(worst) from the dataset's scores")
            }
        }
    }

    @Test func topThreeIsSortedAndMatchesTheModelsOutputTensor() throws {
        let recognizer = try DigitRecognizer(modelPath: trained.path)
        let paths = try writeDigits(DigitPNG(colorType: 2, bitDepth: 8, width: 100, height: 80))
        let results = try recognizer.recognize(paths).map { try $0.get() }
        // The model run directly on the tutorial's preprocessing of the files, in one batch as
        // the recognizer runs them (a batch of another size may differ in the last bit).
        let model = try loadInferenceModel(from: trained.path)
        let input = try Tensor(
            shape: [paths.count, 1, 28, 28],
            scalars: try paths.flatMap { try DigitImage.normalizedPixels(contentsOfPNG: $0) })
        let output = try Executor().run(
            model.program, scope: model.scope, feed: [model.feedNames[0]: input],
            fetch: model.fetchNames)[0]
        #expect(output.shape == [paths.count, 10])
        let all = try output.scalars(as: Float.self)
        for (i, result) in results.enumerated() {
            let row = Array(all[i * 10..<(i + 1) * 10])
            #expect(result.scores == row, "\(result.path)")
            #expect(result.top.count == 3)
            #expect(result.top[0].label == result.digit)
            #expect(Set(result.top.map(\.label)).count == 3)
            for pair in zip(result.top, result.top.dropFirst()) { #expect(pair.0.probability >= pair.1.probability) }
            for entry in result.top { #expect(entry.probability == row[entry.label]) }
            let third = result.top[2].probability
            let others = (0..<10).filter { label in !result.top.contains { $0.label == label } }
            #expect(others.allSatisfy { row[$0] <= third }, "no class outside the top 3 scores higher")
            #expect(abs(row.reduce(0, +) - 1) < 1e-4, "softmax output")
        }
    }

    @Test func linesReadAsTheTutorials() {
        let scores: [Float] = [0.0001, 0, 0.0006, 0.9871, 0, 0.0102, 0, 0.0009, 0.0011, 0]
        let r = DigitRecognition(path: "image/infer_3.png", scores: scores)
        #expect(r.resultLine == "Inference result of image/infer_3.png is: 3")
        #expect(r.topLine == "  top 3: 3 (0.9871), 5 (0.0102), 8 (0.0011)")
        // Ties keep the lower class first, as NumPy's argmax; NaN ranks last.
        let tied = DigitRecognition(path: "t.png", scores: [0.2, .nan, 0.4, 0.4, 0, 0, 0, 0, 0, 0])
        #expect(tied.digit == 2)
        #expect(tied.top.map(\.label) == [2, 3, 0])
    }

    @Test func badImagesGiveErrorsNamingThemAndTheOthersStillGiveResults() throws {
        let recognizer = try DigitRecognizer(modelPath: trained.path)
        let good = try writeDigits(DigitPNG(colorType: 0, bitDepth: 8, width: 28, height: 28))
        let png = DigitPNG(colorType: 0, bitDepth: 8, width: 40, height: 40).encode(
            try trained.pixels(trained.samples[4]))
        let truncated = try directory.write("truncated.png", Array(png.prefix(png.count - 30)))
        var badCRC = png
        badCRC[29] ^= 0x01  // the IHDR chunk's CRC
        let corrupt = try directory.write("bad-crc.png", badCRC)
        let text = try directory.write("notes.png", Array("not a picture\n".utf8))
        let missing = directory.file("missing.png")
        let paths = [good[7], missing, truncated, good[1], corrupt, text, directory.path, good[9]]

        let outcomes = try recognizer.recognize(paths)
        #expect(outcomes.count == paths.count)
        let digits = outcomes.map { try? $0.get().digit }
        #expect(digits == [7, nil, nil, 1, nil, nil, nil, 9])
        func failure(_ i: Int) -> RecognitionFailure? {
            if case .failure(let f) = outcomes[i] { f } else { nil }
        }
        for i in [1, 2, 4, 5, 6] {
            let f = try #require(failure(i))
            #expect(f.path == paths[i])
            #expect(f.description.contains(paths[i]), "\(f)")
        }
        #expect(failure(1)?.reason as? DataError == .fileNotFound(path: missing))
        func pngProblem(_ i: Int) -> String? {
            if case .invalidPNG(_, let problem)? = failure(i)?.reason as? DataError { problem } else { nil }
        }
        #expect(pngProblem(2)?.contains("truncated") == true)
        #expect(pngProblem(4)?.contains("CRC") == true)
        #expect(pngProblem(5)?.contains("signature") == true)
        if case .cannotRead(let path, _)? = failure(6)?.reason as? DataError {
            #expect(path == directory.path)
        } else {
            Issue.record("a directory given as an image: \(String(describing: failure(6)))")
        }

        var lines: [String] = []
        var errors: [String] = []
        let failed = try recognizer.printRecognitions(
            of: paths, output: { lines.append($0) }, errorOutput: { errors.append($0) })
        #expect(failed == 5)
        #expect(lines.count == 6)
        #expect(
            lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                == [7, 1, 9].map {
                    "Inference result of \(good[$0]) is: \($0)"
                })
        #expect(lines.enumerated().filter { $0.offset % 2 == 1 }.allSatisfy { $0.element.hasPrefix("  top 3: ") })
        #expect(errors.count == 5)
        for (line, i) in zip(errors, [1, 2, 4, 5, 6]) {
            #expect(line.hasPrefix("Error: ") && line.contains(paths[i]), "\(line)")
        }
    }

    @Test func onlyBadImagesGiveOnlyErrors() throws {
        let recognizer = try DigitRecognizer(modelPath: trained.path)
        let outcomes = try recognizer.recognize([directory.file("a.png"), directory.file("b.png")])
        #expect(outcomes.count == 2)
        #expect(outcomes.allSatisfy { (try? $0.get()) == nil })
        #expect(try recognizer.recognize([]).isEmpty)
    }

    @Test func aMissingModelIsNamed() throws {
        let path = directory.file("no-such-model")
        #expect {
            _ = try DigitRecognizer(modelPath: path)
        } throws: { error in
            "\(error)".contains("Model '\(path)' does not exist") && "\(error)".contains("recognize-digits train")
        }
        // A directory without a model: the loader's error, naming it.
        #expect {
            _ = try DigitRecognizer(modelPath: directory.path)
        } throws: { error in
            guard case .file(let file, let message)? = error as? FluidError else { return false }
            return file == directory.path && message.contains("holds no model")
        }
    }

    @Test func aModelForOtherImagesIsRefused() throws {
        let model = try loadInferenceModel(from: PaddleExports.path("softmax", .combined))
        model.program.globalBlock.updateVar("img") { $0.shape = [-1, 3, 28, 28] }
        #expect {
            _ = try DigitRecognizer(model: model, source: "rgb-model")
        } throws: { error in
            let text = "\(error)"
            return text.contains("Model 'rgb-model' cannot recognise 28 x 28 digit images")
                && text.contains("Feed 'img'")
                && text.contains("[-1, 3, 28, 28]")
        }
    }

    @Test func aModelWithoutTenOutputsIsRefused() throws {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let image = net.data("img", shape: [-1, 1, 28, 28], dtype: .float32)
        let out = try net.fc(image, size: 5, act: .softmax)
        let scope = Scope()
        try Executor().run(startup, scope: scope)
        let path = directory.file("five-classes")
        try saveInferenceModel(to: path, feeds: ["img"], fetches: [out.name], program: main, scope: scope)
        #expect {
            _ = try DigitRecognizer(modelPath: path)
        } throws: { error in
            "\(error)".contains("Model '\(path)' is not a digit classifier")
                && "\(error)".contains("gives 5 values per image")
        }
    }

    @Test func paddlesModelsInBothLayoutsRecogniseTheSamples() throws {
        let paths = try writeDigits(DigitPNG(colorType: 0, bitDepth: 8, width: 28, height: 28))
        let expected = try PaddleExports.expectedProbabilities("mlp")
        let labels = try PaddleExports.expectedLabels("mlp")
        #expect(trained.samples.filter { $0 < 256 }.count >= 5, "most samples have Paddle's outputs")
        for layout in [PaddleExports.Layout.combined, .directory] {
            let recognizer = try DigitRecognizer(modelPath: PaddleExports.path("mlp", layout))
            let results = try recognizer.recognize(paths).map { try $0.get() }
            // Paddle's own output for the same test images, where the fixture has them.
            for (result, index) in zip(results, trained.samples) where index < 256 {
                #expect(result.digit == labels[index])
                let row = expected[index * 10..<(index + 1) * 10]
                #expect(zip(result.scores, row).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(layout) \(result.path)")
            }
        }
    }
}
