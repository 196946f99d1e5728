/// One sample of an `ImageDataset`: a view of image `index`, preprocessed on demand as the
/// PaddlePaddle tutorial does: image float32 [1, rows, columns] with pixel/255*2-1, label int64.
///
/// The view holds no pixels of its own, so readers move samples without copying; the
/// `DataFeeder` writes the preprocessed floats straight into the feed tensor.
///
/// ```swift
/// let sample = try MNIST.test()[0]
/// sample.label          // 7
/// sample.image.count    // 784, each in [-1, 1]
/// ```
public struct LabeledImage: Sendable, FeedSample {
    public let dataset: ImageDataset
    public let index: Int

    /// The view of sample `index` of `dataset`; throws `DataError.indexOutOfRange` outside
    /// 0..<dataset.count.
    public init(dataset: ImageDataset, index: Int) throws {
        guard index >= 0 && index < dataset.count else {
            throw DataError.indexOutOfRange(dataset: dataset.name, index: index, count: dataset.count)
        }
        self.init(unchecked: dataset, index)
    }

    /// A view whose index the caller has bounded (the dataset's own reader).
    init(unchecked dataset: ImageDataset, _ index: Int) {
        self.dataset = dataset
        self.index = index
    }

    /// The class, 0...9 for MNIST.
    public var label: Int64 { Int64(dataset.labels[index]) }

    /// The raw pixels (0...255), row-major.
    public var pixels: ArraySlice<UInt8> {
        let size = dataset.rows * dataset.columns
        return dataset.pixels[index * size..<(index + 1) * size]
    }

    /// The preprocessed image, pixel/255*2-1, row-major (allocates; the feeder does not use it).
    public var image: [Float] {
        let size = dataset.rows * dataset.columns
        return [Float](unsafeUninitializedCapacity: size) { buffer, initialized in
            if let base = buffer.baseAddress { copyNormalizedPixels(to: base) }
            initialized = size
        }
    }

    /// Image float32 [1, rows, columns], then label int64 [1].
    public var fieldLayouts: [FieldLayout] { dataset.sampleLayout }

    public func copyField(_ field: Int, to destination: UnsafeMutableRawPointer) {
        if field == 0 {
            copyNormalizedPixels(to: destination.assumingMemoryBound(to: Float.self))
        } else {
            destination.assumingMemoryBound(to: Int64.self).pointee = label
        }
    }

    private func copyNormalizedPixels(to destination: UnsafeMutablePointer<Float>) {
        let size = dataset.rows * dataset.columns
        dataset.pixels.withUnsafeBufferPointer { all in
            PixelNormalization.normalize(
                UnsafeBufferPointer(rebasing: all[index * size..<(index + 1) * size]),
                into: destination)
        }
    }
}
