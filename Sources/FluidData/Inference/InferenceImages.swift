/// Images to run a model on: raw pixels (0...255) of `count` images of `rows` x `columns`, in
/// one contiguous row-major buffer, with one label per image when the labels are known. Read
/// from an IDX image file (and optionally its IDX label file), or taken from an `ImageDataset`.
///
/// ```swift
/// let images = try InferenceImages(imagesFile: "t10k-images-idx3-ubyte.gz",
///                                  labelsFile: "t10k-labels-idx1-ubyte.gz")
/// images.count    // 10000
/// images.labels?.first   // 7
/// ```
public struct InferenceImages: Sendable {
    /// Names the images in messages: the image file's path or the dataset's name.
    public let source: String
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// All images, row-major, `rows * columns` bytes each.
    public let pixels: [UInt8]
    /// One label per image, or nil when none were given.
    public let labels: [UInt8]?

    /// Wraps pixels (and labels) already in memory.
    ///
    /// Throws `DataError.invalidFile` when the byte count does not make `count` images of
    /// `rows` x `columns`, and `DataError.countMismatch` when the labels are not one per image.
    public init(source: String, count: Int, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]? = nil) throws {
        guard count >= 0, rows > 0, columns > 0, pixels.count == count * rows * columns else {
            throw DataError.invalidFile(
                path: source, problem: "\(pixels.count) pixel bytes do not make \(count) images of \(rows) x \(columns)"
            )
        }
        if let labels, labels.count != count {
            throw DataError.countMismatch(
                imagesPath: source, imageCount: count, labelsPath: source, labelCount: labels.count)
        }
        self.init(checked: source, count: count, rows: rows, columns: columns, pixels: pixels, labels: labels)
    }

    private init(checked source: String, count: Int, rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]?) {
        self.source = source
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Reads an IDX image file (unsigned bytes of rank 3: count, rows, columns; gzip-compressed
    /// or plain) and, when given, its IDX label file (unsigned bytes of rank 1, one per image).
    ///
    /// Throws `DataError` naming the file when either is missing, corrupt, of another element
    /// type or rank, or when the two hold different numbers of items.
    public init(imagesFile: String, labelsFile: String? = nil) throws {
        // Both headers first: a count mismatch is found before either file's bulk is read.
        let imageStream = try IDXStream.images(imagesFile)
        let labels = try labelsFile.map { try IDXFile(try imageStream.labels($0)).data }
        let images = try IDXFile(imageStream)
        try self.init(
            source: imagesFile, count: images.dimensions[0], rows: images.dimensions[1],
            columns: images.dimensions[2], pixels: images.data, labels: labels)
    }

    /// All images and labels of `dataset`.
    public init(_ dataset: ImageDataset) {
        self.init(
            checked: dataset.name, count: dataset.count, rows: dataset.rows, columns: dataset.columns,
            pixels: dataset.pixels, labels: dataset.labels)
    }

    /// The first `n` images (all of them when `n` is larger than `count`).
    public func prefix(_ n: Int) -> InferenceImages {
        let kept = max(0, min(n, count))
        return InferenceImages(
            checked: source, count: kept, rows: rows, columns: columns,
            pixels: Array(pixels.prefix(kept * rows * columns)),
            labels: labels.map { Array($0.prefix(kept)) })
    }
}
