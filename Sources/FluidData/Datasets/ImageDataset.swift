/// A labelled image dataset held in memory as raw bytes: all images in one contiguous
/// buffer (`count` x `rows` x `columns` pixels, 0...255) and one label byte per image.
///
/// Samples (`LabeledImage`) are views into this buffer, so reading, shuffling and batching
/// never copy pixels; the `DataFeeder` converts them straight into the feed tensor.
///
/// ```swift
/// let test = try MNIST.test()
/// test.count            // 10000
/// try test[0].label     // 7
/// for batch in test.reader.batch(size: 64) { ... }
/// ```
public final class ImageDataset: Sendable {
    /// A short name for messages ("MNIST train").
    public let name: String
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// All images, row-major, `rows * columns` bytes each.
    public let pixels: [UInt8]
    /// One label per image.
    public let labels: [UInt8]
    /// The layouts of a sample's two fields: image float32 [1, rows, columns], label int64 [1].
    public let sampleLayout: [FieldLayout]

    /// Wraps pixels and labels already in memory.
    ///
    /// Throws `DataError.invalidFile` when the byte counts do not fit `rows`, `columns` and
    /// the number of labels.
    public init(name: String, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) throws {
        guard rows > 0, columns > 0, pixels.count == labels.count * rows * columns else {
            throw DataError.invalidFile(
                path: name,
                problem: "\(pixels.count) pixel bytes do not make \(labels.count) images of \(rows) x \(columns)")
        }
        self.name = name
        self.count = labels.count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
        self.sampleLayout = [
            FieldLayout(dtype: .float32, shape: [1, rows, columns]),
            FieldLayout(dtype: .int64, shape: [1]),
        ]
    }

    /// Reads an IDX image file (unsigned bytes, rank 3) and its IDX label file (unsigned
    /// bytes, rank 1), checking that they agree in count and that every label is below
    /// `classCount`. Both headers are read and compared before the bulk of either is read, so
    /// an image file claiming millions of images beside a label file of ten costs nothing.
    public convenience init(name: String, imagesFile: String, labelsFile: String, classCount: Int = 10) throws {
        let imageStream = try IDXStream.images(imagesFile)
        let labels = try IDXFile(try imageStream.labels(labelsFile))
        if let bad = labels.data.firstIndex(where: { Int($0) >= classCount }) {
            throw DataError.invalidFile(
                path: labelsFile,
                problem:
                    "label \(bad) is \(labels.data[bad]), but the dataset has \(classCount) classes (0...\(classCount - 1))"
            )
        }
        let images = try IDXFile(imageStream)
        // Checked here, where the file's path is known, not by the memberwise init that names the dataset.
        guard images.dimensions.count == 3, images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw DataError.invalidFile(
                path: imagesFile, problem: "images must have rows and columns, found dimensions \(images.dimensions)")
        }
        try self.init(
            name: name, rows: images.dimensions[1], columns: images.dimensions[2],
            pixels: images.data, labels: labels.data)
    }

    /// The sample at `index`; throws `DataError.indexOutOfRange` outside 0..<count.
    public subscript(index: Int) -> LabeledImage {
        get throws { try LabeledImage(dataset: self, index: index) }
    }

    /// All samples in file order, as a reader to shuffle, batch and feed.
    public var reader: Reader<LabeledImage> {
        let dataset = self
        return Reader {
            var next = 0
            return AnyIterator {
                guard next < dataset.count else { return nil }
                defer { next += 1 }
                return LabeledImage(unchecked: dataset, next)
            }
        }
    }
}
