import Fluid
import Foundation

/// What `BatchInference` computed: the first fetch target's values for every image, in the
/// images' order, and, when the images have labels, how many the model classifies correctly
/// (the index of the largest value of an image's row equals its label).
///
/// ```swift
/// let result = try BatchInference(model: model).run(images)
/// print(result.accuracyLine ?? "")   // accuracy: 0.9796 (9796/10000)
/// try result.writeOutputs(to: "probs.f32")
/// ```
public struct BatchInferenceResult {
    /// float32 [N, ...]: row i holds image i's output.
    public let outputs: Tensor
    /// The images' labels, when known.
    public let labels: [UInt8]?

    /// The outputs' values, read once in `init` (which checks their dtype).
    private let values: [Float]

    /// Throws `FluidError.invalidTensor` unless `outputs` holds float32.
    public init(outputs: Tensor, labels: [UInt8]?) throws {
        self.values = try outputs.scalars(as: Float.self)
        self.outputs = outputs
        self.labels = labels
    }

    /// The number of images.
    public var count: Int { outputs.shape.first ?? 0 }

    /// Elements per image.
    public var rowSize: Int { count == 0 ? 0 : outputs.count / count }

    /// For each image, the index of the largest value of its row (the first one on a tie, as
    /// NumPy's argmax).
    public var predictions: [Int] {
        let k = rowSize
        guard k > 0 else { return [] }
        return (0..<count).map { row in
            let base = row * k
            var best = 0
            for j in 1..<k where values[base + j] > values[base + best] { best = j }
            return best
        }
    }

    /// Images whose prediction equals their label (nil without labels).
    public var correct: Int? {
        guard let labels else { return nil }
        return zip(predictions, labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
    }

    /// `correct / count` (nil without labels or images).
    public var accuracy: Double? {
        guard let correct, count > 0 else { return nil }
        return Double(correct) / Double(count)
    }

    /// `accuracy: 0.9796 (9796/10000)`, or nil without labels or images.
    public var accuracyLine: String? {
        guard let correct, let accuracy else { return nil }
        return "accuracy: " + String(format: "%.4f", accuracy) + " (\(correct)/\(count))"
    }

    /// The outputs as raw little-endian float32, row-major: `count * rowSize * 4` bytes.
    public var outputBytes: Data {
        var data = Data(capacity: outputs.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Writes `outputBytes` to `path`, through a temporary file renamed into place.
    ///
    /// Throws `DataError.cannotWrite` naming the file when it cannot be written.
    public func writeOutputs(to path: String) throws {
        try writeAtomically(outputBytes, to: path)
    }
}
