import ArgumentParser
import FluidTestSupport
import Foundation
import RecognizeDigits
import Testing

@testable import recognize_digits

/// The `infer` and `evaluate` commands, parsed and run in process as the program would.
@Suite struct InferEvaluateCommandTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// Real digits 0...2 as 8-bit gray PNGs.
    func digitFiles(_ trained: TrainedDigitModel) throws -> [String] {
        try (0..<3).map { digit in
            try directory.write(
                "d\(digit).png",
                DigitPNG(colorType: 0, bitDepth: 8, width: 28, height: 28)
                    .encode(trained.pixels(trained.samples[digit])))
        }
    }

    @Test func inferSucceedsWhenEveryImageIsRecognised() throws {
        let trained = try TrainedDigitModel.shared.get()
        let command = try Infer.parse(["--model-dir", trained.path] + (try digitFiles(trained)))
        try command.run()
    }

    @Test func inferExitsNonZeroWhenAnImageFails() throws {
        let trained = try TrainedDigitModel.shared.get()
        let good = try digitFiles(trained)
        let broken = try directory.write("broken.png", Array("GIF89a".utf8))
        let command = try Infer.parse([
            "--model-dir", trained.path, good[0], directory.file("absent.png"), broken, good[2],
        ])
        #expect(command.images.count == 4)
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test func inferNeedsAtLeastOneImage() {
        #expect {
            _ = try Infer.parse(["--model-dir", "m"])
        } throws: { error in
            Infer.message(for: error).contains("Missing expected argument '<images> ...'")
                && Infer.exitCode(for: error) == .validationFailure
        }
    }

    @Test func modelDirNeedsAValueAndDefaultsToTrainsSaveDirectory() throws {
        #expect {
            _ = try Infer.parse(["--model-dir"])
        } throws: { error in
            Infer.message(for: error).contains("Missing value for '--model-dir <model-dir>'")
        }
        #expect(try Infer.parse(["a.png"]).modelDir == "recognize_digits.inference.model")
        #expect(try Evaluate.parse([]).modelDir == "recognize_digits.inference.model")
    }

    @Test func aMissingModelDirIsNamed() throws {
        let model = directory.file("not-trained-yet")
        let infer = try Infer.parse(["--model-dir", model, "a.png"])
        #expect {
            try infer.run()
        } throws: { error in
            "\(error)".contains("Model '\(model)' does not exist")
        }
        let evaluate = try Evaluate.parse(["--model-dir", model])
        #expect {
            try evaluate.run()
        } throws: { error in
            "\(error)".contains("Model '\(model)' does not exist")
        }
    }

    @Test func evaluateTakesTheDatasetByName() throws {
        #expect(try Evaluate.parse([]).dataset == .mnist)
        let fashion = try Evaluate.parse(["--dataset", "fashion-mnist", "--data-dir", "/data", "--batch-size", "100"])
        #expect(fashion.dataset == .fashionMNIST && fashion.dataDir == "/data" && fashion.batchSize == 100)
        #expect {
            _ = try Evaluate.parse(["--dataset", "kmnist"])
        } throws: { error in
            let message = Evaluate.message(for: error)
            return message.contains("kmnist") && message.contains("mnist") && message.contains("fashion-mnist")
        }
        #expect {
            _ = try Evaluate.parse(["--batch-size", "0"])
        } throws: { error in
            Evaluate.message(for: error).contains("--batch-size must be positive")
        }
    }

    @Test func evaluateNamesADataDirWithoutTheDataset() throws {
        let command = try Evaluate.parse([
            "--model-dir", PaddleExports.path("softmax", .combined), "--data-dir", directory.path,
        ])
        #expect {
            try command.run()
        } throws: { error in
            "\(error)".contains("Directory '\(directory.path)' holds no MNIST dataset")
        }
    }

    @Test func evaluateRunsPaddlesModelOnTheTestSet() throws {
        let command = try Evaluate.parse([
            "--model-dir", PaddleExports.path("softmax", .directory), "--batch-size", "500",
        ])
        try command.run()
    }
}
