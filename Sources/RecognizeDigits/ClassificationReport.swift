/// How well a classifier's predictions match the labels: accuracy, per-class precision and
/// recall, and the confusion matrix (rows: true label, columns: predicted class).
///
/// ```swift
/// let report = try ClassificationReport(predictions: [0, 1, 1], labels: [0, 1, 0], classCount: 2)
/// report.accuracy          // 0.6667 (2 of 3)
/// report.precision(of: 1)  // 0.5: one of the two images predicted 1 is a 1
/// report.recall(of: 0)     // 0.5: one of the two 0s is found
/// report.confusionMatrix   // [[1, 1], [0, 1]]
/// print(report.rendered())
/// ```
///
/// Precision of a class that is never predicted is 0/0 and recall of a class with no
/// samples is too: both are `nil` (shown as "-"), not 0, since nothing was measured and a 0
/// would read as a class the model always gets wrong. The same convention as scikit-learn's
/// `zero_division` made explicit, rather than its warning and 0.
public struct ClassificationReport: Sendable, Equatable {
    /// The number of classes, labels 0..<classCount.
    public let classCount: Int
    /// `confusionMatrix[t][p]`: how many samples of true label `t` were predicted `p`.
    public let confusionMatrix: [[Int]]

    /// Counts `predictions` against `labels`, sample by sample.
    ///
    /// Throws `TutorialError` when the two differ in length, there are no samples, or a value
    /// lies outside 0..<classCount (naming the sample and the value).
    public init(predictions: [Int], labels: [Int], classCount: Int = 10) throws {
        guard classCount > 0 else {
            throw TutorialError("A classification report needs at least one class, not \(classCount).")
        }
        guard predictions.count == labels.count else {
            throw TutorialError(
                "There are \(predictions.count) predictions for \(labels.count) labels; a classification report needs one prediction per label."
            )
        }
        guard !labels.isEmpty else { throw TutorialError("There are no samples to report on.") }
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (i, (predicted, label)) in zip(predictions, labels).enumerated() {
            guard (0..<classCount).contains(label) else {
                throw TutorialError(
                    "Sample \(i) has label \(label), outside the \(classCount) classes 0...\(classCount - 1).")
            }
            guard (0..<classCount).contains(predicted) else {
                throw TutorialError(
                    "Sample \(i) is predicted as class \(predicted), outside the \(classCount) classes 0...\(classCount - 1)."
                )
            }
            matrix[label][predicted] += 1
        }
        self.classCount = classCount
        self.confusionMatrix = matrix
    }

    /// The number of samples.
    public var total: Int { confusionMatrix.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Samples predicted as their label: the diagonal's sum.
    public var correct: Int { (0..<classCount).reduce(0) { $0 + confusionMatrix[$1][$1] } }

    /// `correct / total`.
    public var accuracy: Double { Double(correct) / Double(total) }

    /// Samples whose true label is `label`: its row's sum.
    public func support(of label: Int) -> Int { confusionMatrix[label].reduce(0, +) }

    /// Samples predicted as `label`: its column's sum.
    public func predictedCount(of label: Int) -> Int { confusionMatrix.reduce(0) { $0 + $1[label] } }

    /// Of the samples predicted as `label`, the share that are `label`; nil when none is.
    public func precision(of label: Int) -> Double? {
        let predicted = predictedCount(of: label)
        return predicted == 0 ? nil : Double(confusionMatrix[label][label]) / Double(predicted)
    }

    /// Of the samples of `label`, the share predicted as `label`; nil when there are none.
    public func recall(of label: Int) -> Double? {
        let support = support(of: label)
        return support == 0 ? nil : Double(confusionMatrix[label][label]) / Double(support)
    }
}
