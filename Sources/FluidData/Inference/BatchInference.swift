import Fluid

/// Runs an inference model over many images in batches, as the tutorial's inference step does
/// for one: each image becomes float32 [1, rows, columns] with pixel/255*2-1, a batch of them
/// is fed to the model's first feed target, and the model's first fetch target is collected
/// for every image in order. Batches hold `batchSize` images, the last one fewer.
///
/// ```swift
/// let model = try loadInferenceModel(from: "recognize_digits.inference.model")
/// let result = try BatchInference(model: model).run(InferenceImages(try MNIST.test()))
/// result.outputs.shape   // [10000, 10]
/// result.accuracy        // 0.9796
/// ```
///
/// Before anything runs, the feed variable's declared dtype and shape are checked against the
/// images (as Paddle's `DataFeeder` checks a sample): with the same rank every known size must
/// match [1, rows, columns]; with another rank, the known sizes must hold rows x columns
/// elements (so a model fed [-1, 784] takes 28 x 28 images). A fixed batch size in the
/// declaration becomes the batch size, and the images must split into whole batches of it.
public struct BatchInference {
    public let model: InferenceModel
    /// Images per run of the model (the last batch may be smaller).
    public let batchSize: Int
    private let executor = Executor()

    /// Prepares to run `model`, `batchSize` images at a time.
    ///
    /// Throws `FluidError.program` when `batchSize` is not positive or the model does not have
    /// exactly one feed target (images can fill only one).
    public init(model: InferenceModel, batchSize: Int = 64) throws {
        guard batchSize > 0 else {
            throw FluidError.program("The batch size must be positive, not \(batchSize).")
        }
        guard model.feedNames.count == 1 else {
            throw FluidError.program(
                "The model has \(model.feedNames.count) feed targets (\(model.feedNames.joined(separator: ", "))), but images can fill exactly one."
            )
        }
        self.model = model
        self.batchSize = batchSize
    }

    /// The name of the variable the images are fed to.
    public var feedName: String { model.feedNames[0] }
    /// The name of the variable whose values are collected.
    public var fetchName: String { model.fetchNames[0] }

    /// Runs the model on every image of `images` and returns the first fetch target's values
    /// for all of them, with the accuracy when `images` has labels.
    ///
    /// Throws `DataError.feedMismatch` naming the feed when the images do not fit its declared
    /// dtype or shape (both shapes in the message), and the executor's `FluidError` when a
    /// batch fails to run; a fetch target that is not float32 or not one row per image is a
    /// `FluidError.program`.
    public func run(_ images: InferenceImages) throws -> BatchInferenceResult {
        let (sampleShape, batch) = try feedLayout(for: images)
        let imageSize = images.rows * images.columns
        let input = Tensor()
        var outputs: Tensor?
        var rowSize = 0
        for start in stride(from: 0, to: images.count, by: batch) {
            let n = min(batch, images.count - start)
            try input.resize([n] + sampleShape, dtype: .float32)
            let destination = try input.floatPointer()
            images.pixels.withUnsafeBufferPointer { all in
                PixelNormalization.normalize(
                    UnsafeBufferPointer(rebasing: all[start * imageSize..<(start + n) * imageSize]),
                    into: destination)
            }
            let fetched = try executor.run(
                model.program, scope: model.scope, feed: [feedName: input], fetch: [fetchName])
            guard let out = fetched.first else {
                throw FluidError.missingVariable(
                    name: fetchName, context: "it is the model's first fetch target, but the run returned nothing")
            }
            if outputs == nil {
                try checkOutput(out, batch: n)
                rowSize = out.count / n
                outputs = try Tensor(dtype: .float32, shape: [images.count] + out.shape.dropFirst())
            }
            guard let all = outputs, out.dtype == .float32, out.shape.first == n, out.count == n * rowSize else {
                throw FluidError.program(
                    "The model's fetch target '\(fetchName)' is \(out.dtype)\(out.shape) for a batch of \(n) images, unlike earlier batches; its rows cannot be collected."
                )
            }
            (try all.floatPointer() + start * rowSize).update(from: try out.floatPointer(), count: n * rowSize)
        }
        let result = try outputs ?? Tensor(dtype: .float32, shape: [0])
        return try BatchInferenceResult(outputs: result, labels: images.labels)
    }

    /// The shape one image takes in the feed tensor, and the batch size to use.
    func feedLayout(for images: InferenceImages) throws -> (sampleShape: [Int], batchSize: Int) {
        guard let variable = model.program.globalBlock.findVar(feedName) else {
            throw DataError.unknownFeedVariable(name: feedName)
        }
        let given = [images.count, 1, images.rows, images.columns]
        func mismatch(_ why: String) -> DataError {
            .feedMismatch(
                variable: feedName,
                problem:
                    "the model declares \(variable.dtype) \(Self.show(variable.shape)), but the images of '\(images.source)' are float32 \(given) (N, 1, rows, columns): \(why)"
            )
        }
        guard variable.dtype == .float32 else { throw mismatch("the dtypes differ") }
        guard let declaredBatch = variable.shape.first else {
            throw mismatch("a scalar has no batch dimension to feed")
        }
        let declared = Array(variable.shape.dropFirst())
        let sample = [1, images.rows, images.columns]
        let sampleShape: [Int]
        if declared.count == sample.count {
            for (d, (want, have)) in zip(declared, sample).enumerated() where want >= 0 && want != have {
                throw mismatch("dimension \(d + 1) is \(want), not \(have)")
            }
            sampleShape = sample
        } else {
            guard declared.allSatisfy({ $0 >= 0 }), declared.reduce(1, *) == images.rows * images.columns else {
                throw mismatch(
                    "an image of \(images.rows) x \(images.columns) pixels does not reshape to \(Self.show(declared))")
            }
            sampleShape = declared
        }
        guard declaredBatch > 0 else { return (sampleShape, batchSize) }
        guard images.count % declaredBatch == 0 else {
            throw mismatch(
                "the model takes batches of exactly \(declaredBatch) images, and \(images.count) images do not split into them"
            )
        }
        return (sampleShape, declaredBatch)
    }

    /// The first batch's output must be float32 with one row per image.
    private func checkOutput(_ out: Tensor, batch n: Int) throws {
        guard out.dtype == .float32 else {
            throw FluidError.program(
                "The model's fetch target '\(fetchName)' is \(out.dtype); only float32 outputs are collected.")
        }
        guard out.rank >= 1, out.shape[0] == n else {
            throw FluidError.program(
                "The model's fetch target '\(fetchName)' has shape \(out.shape) for a batch of \(n) images; it needs one row per image (shape [\(n), ...])."
            )
        }
    }

    /// A declared shape with unknown sizes as -1.
    static func show(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "-1" : "\($0)" }.joined(separator: ", ") + "]"
    }
}
