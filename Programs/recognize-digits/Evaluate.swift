import ArgumentParser
import RecognizeDigits

/// `recognize-digits evaluate`: a saved model over a whole test set.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure a saved inference model on a test set: accuracy, per-class precision and recall, and the confusion matrix.",
        discussion: """
            The model's argmax is compared with each test image's label. Precision of a class the model \
            never predicts, and recall of a class with no test images, are undefined and shown as "-".
            """)

    @Option(
        help:
            "The inference model: a directory (as train saves it), a prefix of .pdmodel/.pdiparams files or a .pdmodel file, SwiftFluid's or PaddlePaddle's."
    )
    var modelDir = DigitRecognizer.defaultModelPath
    @Option(help: "The test set: \(DigitDataset.allCases.map(\.rawValue).joined(separator: " or ")).")
    var dataset: DigitDataset = .mnist
    @Option(help: "Directory holding the dataset's four IDX files (default: where the dataset is installed).")
    var dataDir: String?
    @Option(help: "Images per run of the model.") var batchSize = 64

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, not \(batchSize).") }
    }

    func run() throws {
        let recognizer = try DigitRecognizer(modelPath: modelDir, batchSize: batchSize)
        let test = try dataset.load(.test, directory: dataDir)
        let report = try recognizer.evaluate(test)
        print("Model \(modelDir) on the \(dataset.displayName) test set (\(test.count) images)")
        print(report.rendered(classNames: dataset == .mnist ? nil : dataset.classNames))
    }
}
