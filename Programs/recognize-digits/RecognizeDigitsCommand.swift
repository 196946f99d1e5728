import ArgumentParser
import Fluid
import Foundation
import RecognizeDigits

/// The "Recognize Digits" tutorial as a command-line program.
@main
struct RecognizeDigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recognize-digits",
        abstract: "PaddlePaddle's Recognize Digits tutorial on MNIST, in SwiftFluid.",
        subcommands: [Train.self, Infer.self, Evaluate.self, Samples.self, BenchReader.self])

    static func main() {
        ProcessSetup.selectBLASKernel()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

extension DigitModel: ExpressibleByArgument {}
extension ModelLayout: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a tutorial model on MNIST and report test cost and accuracy after each epoch.")

    @Option(help: "softmax, mlp or cnn.") var model: DigitModel = .cnn
    @Option(help: "Passes over the 60,000 training images.") var epochs = 5
    @Option(help: "random_seed of the startup and main programs, and the shuffle seed (0 or more).") var seed = 90
    @Option(help: "Images per training step.") var batchSize = 64
    @Option(help: "Adam's learning rate.") var learningRate: Float = 0.001
    @Option(help: "Write per-epoch figures to this JSON file.") var metrics: String?
    @Option(help: "MNIST directory (default: the Tools/fetch-mnist cache).") var dataDir: String?
    @Flag(help: "Print the time spent per op type at the end.") var profile = false
    @Option(help: "Save the inference model here after every epoch, with a checkpoint in its checkpoint/ folder.")
    var saveDir = "recognize_digits.inference.model"
    @Option(help: "Inference model layout: directory (__model__ and a file per parameter, as the tutorial) or combined (MODEL.pdmodel and MODEL.pdiparams).")
    var layout: ModelLayout = .directory
    @Flag(help: "Continue from the checkpoint in --save-dir; --epochs is then the total.") var resume = false

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let trainer = try Trainer(options)
        let result = try trainer.train()
        if let last = result.epochs.last {
            print("Final test accuracy \(String(format: "%.4f", last.testAccuracy)) after \(result.epochs.count) epochs (best epoch \(result.bestEpoch)).")
        }
        if let path = trainer.modelPath { print("Inference model saved to \(path) (\(layout.rawValue) layout).") }
    }

    var options: TrainingOptions {
        var options = TrainingOptions()
        options.model = model
        options.epochs = epochs
        options.seed = seed
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.metricsPath = metrics
        options.dataDirectory = dataDir
        options.profile = profile
        options.saveDirectory = saveDir
        options.layout = layout
        options.resume = resume
        return options
    }
}
