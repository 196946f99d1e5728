import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import RecognizeDigits

@Suite struct ClassificationReportTests {
    // 3 classes, 8 samples. By true label: 0 -> 0, 0, 1; 1 -> 1, 1, 1; 2 -> 0, 1 (2 is never predicted).
    static let labels = [0, 0, 0, 1, 1, 1, 2, 2]
    static let predictions = [0, 1, 0, 1, 1, 1, 0, 1]

    @Test func handComputedExample() throws {
        let report = try ClassificationReport(predictions: Self.predictions, labels: Self.labels, classCount: 3)
        #expect(report.confusionMatrix == [[2, 1, 0], [0, 3, 0], [1, 1, 0]])
        #expect(report.total == 8)
        #expect(report.correct == 5)
        #expect(report.accuracy == 5.0 / 8)
        // Precision: column 0 holds 2 right of 3, column 1 3 of 5, column 2 nothing.
        #expect(report.precision(of: 0) == 2.0 / 3)
        #expect(report.precision(of: 1) == 3.0 / 5)
        #expect(report.precision(of: 2) == nil)
        // Recall: row 0 finds 2 of 3, row 1 3 of 3, row 2 none of 2.
        #expect(report.recall(of: 0) == 2.0 / 3)
        #expect(report.recall(of: 1) == 1)
        #expect(report.recall(of: 2) == 0)
        #expect((0..<3).map(report.support(of:)) == [3, 3, 2])
        #expect((0..<3).map(report.predictedCount(of:)) == [3, 5, 0])
    }

    @Test func renderedTextIsAligned() throws {
        let report = try ClassificationReport(predictions: Self.predictions, labels: Self.labels, classCount: 3)
        #expect(
            report.rendered() == """
                accuracy: 0.6250 (5/8)

                class  precision  recall  support
                    0     0.6667  0.6667        3
                    1     0.6000  1.0000        3
                    2          -  0.0000        2

                confusion matrix (rows: true label, columns: predicted class)
                true\\pred  0  1  2
                        0  2  1  0
                        1  0  3  0
                        2  1  1  0
                """)
        let named = report.rendered(classNames: ["cat", "dog", "hedgehog"])
        #expect(
            named.contains(
                """
                class  name      precision  recall  support
                    0  cat          0.6667  0.6667        3
                    1  dog          0.6000  1.0000        3
                    2  hedgehog          -  0.0000        2
                """))
    }

    @Test func aClassWithoutSamplesHasNoRecall() throws {
        let report = try ClassificationReport(predictions: [0, 2], labels: [0, 0], classCount: 3)
        #expect(report.recall(of: 1) == nil && report.recall(of: 2) == nil)
        #expect(report.precision(of: 2) == 0)
        #expect(report.rendered().contains("    1          -       -        0"))
    }

    @Test func invalidInputsAreRefusedNamingTheSample() {
        #expect(
            throws: TutorialError(
                "There are 2 predictions for 3 labels; a classification report needs one prediction per label.")
        ) {
            _ = try ClassificationReport(predictions: [0, 1], labels: [0, 1, 1], classCount: 2)
        }
        #expect(throws: TutorialError("Sample 1 has label 10, outside the 10 classes 0...9.")) {
            _ = try ClassificationReport(predictions: [0, 1], labels: [0, 10])
        }
        #expect(throws: TutorialError("Sample 0 is predicted as class -1, outside the 10 classes 0...9.")) {
            _ = try ClassificationReport(predictions: [-1], labels: [0])
        }
        #expect(throws: TutorialError.self) { _ = try ClassificationReport(predictions: [], labels: []) }
    }

    /// PaddlePaddle's exported softmax model over all 10,000 MNIST test images, in both
    /// layouts: the accuracy Paddle measured, and a confusion matrix that agrees with it and
    /// with the labels.
    @Test(arguments: [PaddleExports.Layout.combined, .directory])
    func paddlesSoftmaxModelGivesItsAccuracyOnTheTestSet(layout: PaddleExports.Layout) throws {
        let expected = try PaddleExports.expected("softmax")
        let accuracy = try #require(expected["test_acc_exported_model_10000"] as? Double)
        let correct = try #require(expected["n_correct"] as? Int)
        #expect(accuracy == 0.8956)

        let test = try DigitDataset.mnist.load(.test)
        let recognizer = try DigitRecognizer(modelPath: PaddleExports.path("softmax", layout), batchSize: 64)
        let report = try recognizer.evaluate(test)
        #expect(report.total == 10_000)
        #expect(report.correct == correct)
        #expect(report.accuracy == accuracy)
        #expect(report.confusionMatrix.joined().reduce(0, +) == test.count)
        #expect(
            Double((0..<10).reduce(0) { $0 + report.confusionMatrix[$1][$1] }) / Double(test.count) == report.accuracy)
        for label in 0..<10 {
            #expect(report.support(of: label) == test.labels.filter { $0 == label }.count, "support of \(label)")
        }
        let text = report.rendered()
        #expect(text.hasPrefix("accuracy: 0.8956 (8956/10000)\n"))
        // Every line of the matrix is as wide as its header.
        let matrix = text.components(separatedBy: "\n").drop { !$0.hasPrefix("true\\pred") }
        #expect(matrix.count == 11)
        #expect(Set(matrix.map(\.count)).count == 1)
    }

    /// The model trained here, evaluated on the first 2,000 test images: the report's figures
    /// recomputed from its predictions one by one.
    @Test func reportAgreesWithThePredictionsOfATrainedModel() throws {
        let trained = try TrainedDigitModel.shared.get()
        let test = trained.test
        let slice = try ImageDataset(
            name: "MNIST test, first 2000", rows: 28, columns: 28,
            pixels: Array(test.pixels.prefix(2000 * 784)), labels: Array(test.labels.prefix(2000)))
        let recognizer = try DigitRecognizer(modelPath: trained.path, batchSize: 128)
        let report = try recognizer.evaluate(slice)
        #expect(report.total == 2000)
        #expect(report.accuracy > 0.8, "softmax regression after 300 steps: \(report.accuracy)")

        let model = recognizer.model
        let predictions = try BatchInference(model: model).run(InferenceImages(slice)).predictions
        let labels = slice.labels.map(Int.init)
        #expect(report.correct == zip(predictions, labels).filter { $0 == $1 }.count)
        for c in 0..<10 {
            let truePositives = zip(predictions, labels).filter { $0 == c && $1 == c }.count
            let predicted = predictions.filter { $0 == c }.count
            let actual = labels.filter { $0 == c }.count
            #expect(report.precision(of: c) == (predicted == 0 ? nil : Double(truePositives) / Double(predicted)))
            #expect(report.recall(of: c) == Double(truePositives) / Double(actual))
        }
    }
}
