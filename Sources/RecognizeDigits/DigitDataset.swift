import Fluid
import FluidData

/// The datasets the tutorial's networks train on: 28 x 28 gray images in ten classes.
public enum DigitDataset: String, CaseIterable, Sendable {
    /// Handwritten digits, fetched into the cache by `Tools/fetch-mnist` (or `train --download`).
    case mnist
    /// Zalando's clothing images, from Debian's `dataset-fashion-mnist`.
    case fashionMNIST = "fashion-mnist"

    /// The name used in messages.
    public var displayName: String { self == .mnist ? "MNIST" : "Fashion-MNIST" }

    /// The class names, index = label.
    public var classNames: [String] {
        switch self {
        case .mnist: (0...9).map(String.init)
        case .fashionMNIST:
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }

    /// Where the dataset is read from when no directory is given.
    public var defaultDirectory: String { self == .mnist ? MNIST.directory : FashionMNIST.directory }

    /// How a user installs the dataset in its default directory.
    public var installHint: String {
        switch self {
        case .mnist:
            "run `recognize-digits train --download` (or `Tools/fetch-mnist`) to fetch it into \(MNIST.directory)"
        case .fashionMNIST:
            "install Debian's package with `apt-get install dataset-fashion-mnist` (files in \(FashionMNIST.systemDirectory))"
        }
    }

    /// True when all four IDX files are in `directory` (default: `defaultDirectory`).
    public func isInstalled(directory: String? = nil) -> Bool {
        self == .mnist ? MNIST.isInstalled(directory: directory) : FashionMNIST.isInstalled(directory: directory)
    }

    /// One split, from `directory` or the default one. A missing file gives an error that says
    /// how to get the dataset, or, for a directory the user named, that it holds no dataset.
    /// A split without images is an error too: nothing can be learned or measured on it.
    public func load(_ split: DatasetSplit, directory: String? = nil) throws -> ImageDataset {
        let dataset: ImageDataset
        do {
            switch self {
            case .mnist: dataset = try MNIST.load(split, directory: directory)
            case .fashionMNIST: dataset = try FashionMNIST.load(split, directory: directory)
            }
        } catch DataError.datasetMissing(_, let missingDirectory, let missingFile, _) {
            if let directory {
                throw TutorialError(
                    "Directory '\(directory)' holds no \(displayName) dataset: \(missingFile) is not there (the data directory must name a directory with the four IDX files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz, or the same without .gz)."
                )
            }
            throw TutorialError(
                "\(displayName) is not installed: \(missingFile) is missing from \(missingDirectory); \(installHint).")
        }
        guard dataset.count > 0 else {
            throw TutorialError(
                "The \(displayName) \(split.rawValue) set in \(directory ?? defaultDirectory) holds no images; nothing can be \(split == .train ? "trained" : "tested") on it."
            )
        }
        return dataset
    }
}
