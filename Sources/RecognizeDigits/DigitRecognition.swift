import Foundation

/// One class and the model's score for it.
public struct ClassScore: Sendable, Equatable, CustomStringConvertible {
    /// The class index: the digit, for MNIST.
    public let label: Int
    /// The model's output for the class: a probability for the tutorial's softmax networks.
    public let probability: Float

    public init(label: Int, probability: Float) {
        self.label = label
        self.probability = probability
    }

    /// `3 (0.9871)`.
    public var description: String { "\(label) (\(formatProbability(probability)))" }
}

/// What a `DigitRecognizer` made of one image: the model's output row, the recognised digit
/// (its argmax) and the most probable classes in order.
///
/// The scores are the model's output as it is. The tutorial's networks end in a softmax, so
/// they are probabilities summing to 1; a model that ends in raw logits is reported as-is,
/// not renormalised, since the ranking and argmax are the same either way.
///
/// ```swift
/// let r = DigitRecognition(path: "infer_3.png", scores: probabilities)
/// r.resultLine   // Inference result of infer_3.png is: 3
/// r.topLine      //   top 3: 3 (0.9871), 5 (0.0102), 8 (0.0011)
/// ```
public struct DigitRecognition: Sendable, Equatable {
    /// How many of the most probable classes `top` holds.
    public static let topCount = 3

    /// The image's path, as given.
    public let path: String
    /// The model's output for the image, one value per class.
    public let scores: [Float]
    /// The index of the largest score (the first one on a tie, as NumPy's argmax).
    public let digit: Int
    /// The `topCount` largest scores (fewer with fewer classes), largest first; ties keep the
    /// lower class first. `top[0].label == digit`.
    public let top: [ClassScore]

    public init(path: String, scores: [Float]) {
        self.path = path
        self.scores = scores
        // NaN ranks last, so a broken output cannot make the order depend on the sort's internals.
        func key(_ v: Float) -> Float { v.isNaN ? -.infinity : v }
        let ranked = scores.indices.sorted { a, b in
            key(scores[a]) != key(scores[b]) ? key(scores[a]) > key(scores[b]) : a < b
        }
        top = ranked.prefix(Self.topCount).map { ClassScore(label: $0, probability: scores[$0]) }
        digit = ranked.first ?? 0
    }

    /// `Inference result of PATH is: D`, as the tutorial prints it.
    public var resultLine: String { "Inference result of \(path) is: \(digit)" }

    /// `  top 3: 3 (0.9871), 5 (0.0102), 8 (0.0011)`.
    public var topLine: String {
        "  top \(top.count): " + top.map(\.description).joined(separator: ", ")
    }
}

/// An image a `DigitRecognizer` could not read: missing, unreadable, not a PNG, truncated or
/// corrupt. The description names the file.
public struct RecognitionFailure: Error, CustomStringConvertible {
    /// The image's path, as given.
    public let path: String
    /// The underlying error, usually a `DataError` (`.fileNotFound`, `.cannotRead`,
    /// `.invalidPNG`, `.imageTooLarge`).
    public let reason: any Error

    public init(path: String, reason: any Error) {
        self.path = path
        self.reason = reason
    }

    /// The reason's own sentence when it names the file (the data layer's errors do),
    /// otherwise the sentence prefixed by the file.
    public var description: String {
        let message = "\(reason)"
        return message.contains(path) ? message : "Image '\(path)': \(message)"
    }
}

/// Four decimals, as the tutorial's figures.
func formatProbability(_ p: Float) -> String { String(format: "%.4f", Double(p)) }
