/// The MNIST handwritten digits: 60,000 training and 10,000 test images of 28 x 28 pixels,
/// labels 0...9, read from the IDX files that `Tools/fetch-mnist` installs in
/// `DatasetDirectory.path(for: "mnist")`.
///
/// ```swift
/// let train = try MNIST.train()
/// for batch in train.reader.shuffle(bufferSize: 500, seed: 1).batch(size: 64) {
///     let feed = try feeder.feed(batch)
/// }
/// ```
public enum MNIST {
    /// The command that installs MNIST.
    public static let fetchCommand = "Tools/fetch-mnist"

    /// Where MNIST is read from: `$SWIFTFLUID_HOME/dataset/mnist` or `~/.cache/swiftfluid/dataset/mnist`.
    public static var directory: String { DatasetDirectory.path(for: "mnist") }

    /// The 60,000 training images. Throws `DataError.datasetMissing` (naming
    /// `Tools/fetch-mnist`) when MNIST is not installed.
    public static func train(directory: String? = nil) throws -> ImageDataset {
        try load(.train, directory: directory)
    }

    /// The 10,000 test images.
    public static func test(directory: String? = nil) throws -> ImageDataset {
        try load(.test, directory: directory)
    }

    /// True when all four files are in `directory` (default: `MNIST.directory`).
    public static func isInstalled(directory: String? = nil) -> Bool {
        StandardIDXDataset.isComplete(directory ?? self.directory)
    }

    /// One split, read from `directory` (default: `MNIST.directory`).
    public static func load(_ split: DatasetSplit, directory: String? = nil) throws -> ImageDataset {
        try StandardIDXDataset.load(
            dataset: "MNIST", split: split, directory: directory ?? self.directory,
            fetchCommand: fetchCommand)
    }
}

/// Zalando's Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28 x 28,
/// labels 0...9, in the same IDX layout as MNIST. Read from the SwiftFluid cache
/// (`DatasetDirectory.path(for: "fashion-mnist")`) when the files are there, otherwise from
/// `/usr/share/datasets/fashion-mnist`, where Debian's `dataset-fashion-mnist` installs them.
///
/// ```swift
/// let test = try FashionMNIST.test()
/// test[0].label   // 9 (ankle boot)
/// ```
public enum FashionMNIST {
    /// The command that installs Fashion-MNIST.
    public static let fetchCommand = "apt-get install dataset-fashion-mnist"

    /// Where Debian's package puts the files.
    public static let systemDirectory = "/usr/share/datasets/fashion-mnist"

    /// The directory Fashion-MNIST is read from.
    public static var directory: String {
        let cache = DatasetDirectory.path(for: "fashion-mnist")
        return StandardIDXDataset.isComplete(cache) ? cache : systemDirectory
    }

    /// The 60,000 training images. Throws `DataError.datasetMissing` (naming the apt
    /// package) when Fashion-MNIST is not installed.
    public static func train(directory: String? = nil) throws -> ImageDataset {
        try load(.train, directory: directory)
    }

    /// The 10,000 test images.
    public static func test(directory: String? = nil) throws -> ImageDataset {
        try load(.test, directory: directory)
    }

    /// True when all four files are in `directory` (default: `FashionMNIST.directory`).
    public static func isInstalled(directory: String? = nil) -> Bool {
        StandardIDXDataset.isComplete(directory ?? self.directory)
    }

    /// One split, read from `directory` (default: `FashionMNIST.directory`).
    public static func load(_ split: DatasetSplit, directory: String? = nil) throws -> ImageDataset {
        try StandardIDXDataset.load(
            dataset: "Fashion-MNIST", split: split, directory: directory ?? self.directory,
            fetchCommand: fetchCommand)
    }
}
