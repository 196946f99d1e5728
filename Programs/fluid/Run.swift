import ArgumentParser
import Fluid
import FluidData
import Foundation

/// `fluid run MODEL --images IDX`: a saved model over an IDX file of images, in batches.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run a model on the images of an IDX file (preprocessed as the tutorial: pixel/255*2-1, float32 [N, 1, rows, columns]).",
        discussion: """
            Prints the number of images and, with --labels, the accuracy (argmax of the first fetch target \
            against the label). --output receives the first fetch target's values for every image in file \
            order, as raw little-endian float32, row-major.
            """)

    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String
    @Option(help: "IDX image file (unsigned bytes: count x rows x columns), gzip-compressed or plain.") var images:
        String
    @Option(help: "IDX label file (unsigned bytes, one per image), to report the accuracy.") var labels: String?
    @Option(name: .shortAndLong, help: "Write the outputs to this file (raw little-endian float32).") var output:
        String?
    @Option(help: "Images per run of the model.") var batchSize = 64
    @Flag(help: "Run the inference passes on the loaded program.") var optimize = false

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, not \(batchSize).") }
    }

    func run() throws {
        if let output { try checkWritable(output) }
        let loaded = try loadInferenceModel(from: model, optimize: optimize)
        let input = try InferenceImages(imagesFile: images, labelsFile: labels)
        let inference = try BatchInference(model: loaded, batchSize: batchSize)
        let result = try inference.run(input)
        print(
            "images: \(result.count) (\(input.rows) x \(input.columns)), fed to '\(inference.feedName)'; fetched '\(inference.fetchName)' \(result.outputs.shape)"
        )
        if let line = result.accuracyLine { print(line) }
        if let output {
            try result.writeOutputs(to: output)
            print("wrote \(output): \(result.count) x \(result.rowSize) float32 (\(result.outputs.count * 4) bytes)")
        }
    }
}
