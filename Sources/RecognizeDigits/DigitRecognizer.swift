import Fluid
import FluidData
import Foundation

/// Recognises digits in PNG files with a saved inference model, as the tutorial's inference
/// step does: each picture is decoded, converted to gray as PIL's `convert('L')`, resized to
/// 28 x 28 with the Lanczos filter and normalised to pixel/255*2-1 (`DigitImage`), and the
/// model's output for it gives the digit (argmax) and the three most probable classes.
///
/// ```swift
/// let recognizer = try DigitRecognizer(modelPath: "recognize_digits.inference.model")
/// for outcome in try recognizer.recognize(["infer_3.png", "missing.png"]) {
///     switch outcome {
///     case .success(let r): print(r.resultLine)   // Inference result of infer_3.png is: 3
///     case .failure(let f): print(f)              // File 'missing.png' does not exist.
///     }
/// }
/// ```
///
/// The model may be SwiftFluid's or PaddlePaddle's, in the directory or the combined layout
/// (`loadInferenceModel`). It must have exactly one feed target taking float32 28 x 28 images
/// ([-1, 1, 28, 28], or any shape `BatchInference` accepts for them, such as [-1, 784]) and a
/// first fetch target giving ten values per image; both are checked when the recognizer is
/// made, by running the model once on a blank image. The values are reported as the model
/// computes them (probabilities for the tutorial's softmax networks).
public struct DigitRecognizer {
    /// The number of classes the model must score.
    public static let classCount = 10
    /// Where `recognize-digits train` saves its model.
    public static let defaultModelPath = "recognize_digits.inference.model"

    public let model: InferenceModel
    /// Names the model in messages: the path it was loaded from.
    public let source: String
    /// Images per run of the model.
    public let batchSize: Int
    let inference: BatchInference

    /// Loads the model at `modelPath` (a directory holding `__model__` or one `.pdmodel`, a
    /// prefix of `.pdmodel`/`.pdiparams`, or a `.pdmodel` file) and checks it recognises digits.
    ///
    /// Throws `TutorialError` naming the path when nothing is there or the model does not take
    /// 28 x 28 images and give ten scores, and the loader's `FluidError` (naming the file)
    /// when the model's files are invalid.
    public init(modelPath: String, optimize: Bool = false, batchSize: Int = 64) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: modelPath) || fm.fileExists(atPath: modelPath + ".pdmodel") else {
            throw TutorialError(
                "Model '\(modelPath)' does not exist: train one with `recognize-digits train --save-dir \(modelPath)`, or give the path of a saved model (a directory, a prefix of .pdmodel/.pdiparams files, or a .pdmodel file)."
            )
        }
        try self.init(
            model: try loadInferenceModel(from: modelPath, optimize: optimize), source: modelPath, batchSize: batchSize)
    }

    /// Wraps a loaded model after the same checks; `source` names it in messages.
    public init(model: InferenceModel, source: String, batchSize: Int = 64) throws {
        guard batchSize > 0 else { throw TutorialError("The batch size must be positive, not \(batchSize).") }
        guard model.feedNames.count == 1 else {
            throw TutorialError(
                "Model '\(source)' has \(model.feedNames.count) feed targets (\(model.feedNames.joined(separator: ", "))); a digit recognizer feeds exactly one, the image."
            )
        }
        let inference = try BatchInference(model: model, batchSize: batchSize)
        // One blank image through the model checks the feed's dtype and shape and the
        // output's size with the executor's own rules, before any user image is read.
        let side = DigitImage.side
        let blank = try InferenceImages(
            source: "a blank \(side) x \(side) image", count: 1, rows: side, columns: side,
            pixels: [UInt8](repeating: 0, count: side * side))
        let probe: BatchInferenceResult
        do { probe = try inference.run(blank) } catch {
            throw TutorialError("Model '\(source)' cannot recognise \(side) x \(side) digit images: \(error)")
        }
        guard probe.rowSize == Self.classCount else {
            throw TutorialError(
                "Model '\(source)' is not a digit classifier: its fetch target '\(inference.fetchName)' gives \(probe.rowSize) values per image (shape \(probe.outputs.shape) for one image), not \(Self.classCount) class probabilities."
            )
        }
        self.model = model
        self.source = source
        self.batchSize = batchSize
        self.inference = inference
    }

    /// The name of the variable images are fed to.
    public var feedName: String { inference.feedName }
    /// The name of the variable whose values are the scores.
    public var fetchName: String { inference.fetchName }

    /// Recognises each PNG file of `paths`, in order: a `DigitRecognition`, or a
    /// `RecognitionFailure` naming the file when it cannot be read or decoded. A bad image
    /// never stops the others; the good ones run through the model together, in batches.
    ///
    /// Throws only when the model itself fails to run, which would fail every image.
    public func recognize(_ paths: [String]) throws -> [Result<DigitRecognition, RecognitionFailure>] {
        let side = DigitImage.side
        var failures: [Int: RecognitionFailure] = [:]
        var decoded: [Int] = []
        var pixels: [UInt8] = []
        pixels.reserveCapacity(paths.count * side * side)
        for (i, path) in paths.enumerated() {
            do {
                pixels += try GrayImage(contentsOfPNG: path).resized(width: side, height: side).pixels
                decoded.append(i)
            } catch {
                failures[i] = RecognitionFailure(path: path, reason: error)
            }
        }
        var scores: [Int: [Float]] = [:]
        if !decoded.isEmpty {
            let images = try InferenceImages(
                source: "the PNG images", count: decoded.count, rows: side, columns: side, pixels: pixels)
            let values = try inference.run(images).outputs.scalars(as: Float.self)
            let k = Self.classCount
            for (row, i) in decoded.enumerated() { scores[i] = Array(values[row * k..<(row + 1) * k]) }
        }
        return paths.indices.map { i in
            if let row = scores[i] { return .success(DigitRecognition(path: paths[i], scores: row)) }
            return .failure(
                failures[i] ?? RecognitionFailure(path: paths[i], reason: TutorialError("the image was not recognised"))
            )
        }
    }

    /// Recognises `paths` and writes, for each image in order, its two lines
    /// (`resultLine`, `topLine`) to `output`, or its failure to `errorOutput` as
    /// `Error: <sentence naming the file>`. Returns how many images failed, so a command can
    /// exit non-zero after reporting all of them.
    ///
    /// ```swift
    /// let failed = try recognizer.printRecognitions(of: paths, output: { print($0) },
    ///                                               errorOutput: { printToStandardError($0) })
    /// if failed > 0 { throw ExitCode(1) }
    /// ```
    @discardableResult
    public func printRecognitions(of paths: [String], output: (String) -> Void, errorOutput: (String) -> Void) throws
        -> Int
    {
        var failed = 0
        for outcome in try recognize(paths) {
            switch outcome {
            case .success(let recognition):
                output(recognition.resultLine)
                output(recognition.topLine)
            case .failure(let failure):
                errorOutput("Error: \(failure)")
                failed += 1
            }
        }
        return failed
    }

    /// Runs the model over every image of `dataset` (`batchSize` at a time) and compares its
    /// argmax with the labels.
    ///
    /// ```swift
    /// let report = try recognizer.evaluate(try DigitDataset.mnist.load(.test))
    /// print(report.rendered())   // accuracy, per-class precision and recall, confusion matrix
    /// ```
    public func evaluate(_ dataset: ImageDataset) throws -> ClassificationReport {
        let result = try inference.run(InferenceImages(dataset))
        return try ClassificationReport(
            predictions: result.predictions, labels: dataset.labels.map(Int.init),
            classCount: Self.classCount)
    }
}
