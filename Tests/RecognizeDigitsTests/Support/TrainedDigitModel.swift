import Fluid
import FluidData
import Foundation
import RecognizeDigits

/// Softmax regression trained here on a real MNIST slice (300 Adam steps of 64 images, seed
/// 90; under a second in debug) and saved with `saveInferenceModel` in the directory layout,
/// as `train` saves it; built once for all tests. With it, `samples` holds one real MNIST test
/// image per digit that the model, fed straight from the dataset, gives its true label with
/// probability above 0.95: the clear margin lets re-encoded, requantised and resized copies
/// still be judged against the true labels.
final class TrainedDigitModel: Sendable {
    static let shared = Result { try TrainedDigitModel() }

    /// The saved model's directory (removed with the object).
    let path: String
    let test: ImageDataset
    /// Indices into `test`, one per digit 0...9, in digit order.
    let samples: [Int]
    /// The model's output for each of `samples`, fed from the dataset (float32 [10] each).
    let sampleScores: [[Float]]
    private let root: String

    private init() throws {
        let network = try DigitNetwork(.softmax, seed: 90)
        try Adam(learningRate: 0.001).minimize(network.loss, program: network.main, startup: network.startup)
        let exe = Executor()
        let scope = Scope()
        try exe.run(network.startup, scope: scope)
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)
        let train = try MNIST.train()
        for batch in train.reader.firstN(64 * 300).shuffle(bufferSize: 500, seed: 90).batch(size: 64) {
            try exe.run(network.main, scope: scope, feed: try feeder.feed(batch))
        }
        root = NSTemporaryDirectory() + "swiftfluid-recognizer-" + UUID().uuidString
        path = root + "/recognize_digits.inference.model"
        try saveInferenceModel(
            to: path, feeds: [network.image.name], fetches: [network.prediction.name],
            program: network.main, scope: scope)

        let test = try MNIST.test()
        self.test = test
        let model = try loadInferenceModel(from: path)
        let candidates = InferenceImages(test).prefix(500)
        let outputs = try BatchInference(model: model).run(candidates).outputs.scalars(as: Float.self)
        var samples: [Int] = []
        var scores: [[Float]] = []
        for digit in 0..<10 {
            let index = try (0..<candidates.count).first { i in
                Int(test.labels[i]) == digit && outputs[i * 10 + digit] > 0.95
            }.orThrow("no test image of digit \(digit) among the first 500 is recognised with probability above 0.95")
            samples.append(index)
            scores.append(Array(outputs[index * 10..<(index + 1) * 10]))
        }
        self.samples = samples
        self.sampleScores = scores
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The 28 x 28 pixels of test image `index`.
    func pixels(_ index: Int) throws -> [UInt8] { Array(try test[index].pixels) }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}

extension Optional {
    /// The value, or a test setup error saying what was missing.
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw TestSetupError(description: message) }
        return self
    }
}
