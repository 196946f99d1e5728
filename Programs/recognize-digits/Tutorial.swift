import ArgumentParser
import FluidData
import Foundation
import RecognizeDigits

/// `recognize-digits tutorial`: the whole tutorial in one run: train (the CNN by default), save
/// the inference model, draw the cost plot, write sample digits as PNG files, recognise them with
/// the saved model, and say where everything went.
struct Tutorial: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, save the inference model, plot the costs, recognise sample digits, and list what was written."
    )

    @OptionGroup var arguments: TrainingArguments
    @Option(help: "Where the sample digits (real test images as PNG) go.") var samplesDir = "recognize_digits.samples"

    func run() throws {
        var arguments = arguments
        arguments.plot = arguments.plot ?? "recognize_digits.cost.png"
        arguments.metrics = arguments.metrics ?? "recognize_digits.metrics.json"
        let trainer = try arguments.train()
        guard let modelPath = trainer.modelPath else { return }

        print("\nRecognising sample digits with the saved model \(modelPath):")
        let options = trainer.options
        let samples = try writeSampleDigits(
            to: samplesDir, from: try options.dataset.load(.test, directory: options.dataDirectory))
        let recognizer = try DigitRecognizer(modelPath: modelPath)
        let failed = try recognizer.printRecognitions(
            of: samples, output: { print($0) }, errorOutput: printToStandardError)

        let metrics = trainer.currentMetrics
        print("\nThe tutorial wrote:")
        if let last = metrics.epochs.last, let best = metrics.best {
            func percent(_ accuracy: Double) -> String { String(format: "%.2f%%", accuracy * 100) }
            print(
                "  \(options.model.rawValue) on \(options.dataset.displayName): test accuracy \(percent(last.testAccuracy)) after \(last.epoch) epochs; the best pass (lowest test cost) is \(best.epoch - 1), with \(percent(best.testAccuracy))"
            )
        }
        print(
            "  inference model     \(absolute(modelPath)) (\(options.layout.rawValue) layout; try `recognize-digits infer --model-dir \(modelPath) IMAGE.png`)"
        )
        if let checkpoint = trainer.checkpointDirectory {
            print("  training checkpoint \(absolute(checkpoint)) (continue with --resume)")
        }
        if let plot = arguments.plot { print("  cost plot           \(absolute(plot))") }
        if let path = arguments.metrics { print("  metrics             \(absolute(path))") }
        print("  sample digits       \(absolute(samplesDir))/infer_0.png ... infer_\(samples.count - 1).png")
        if failed > 0 { throw ExitCode(1) }
    }

    private func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
