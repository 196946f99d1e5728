import Foundation

/// The four-file layout MNIST and Fashion-MNIST share: `train-images-idx3-ubyte.gz`,
/// `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`.
/// Plain (uncompressed) files without the `.gz` suffix are accepted too.
public enum DatasetSplit: String, Sendable, CaseIterable {
    case train
    case test

    /// The file-name prefix of the split's files.
    var filePrefix: String { self == .train ? "train" : "t10k" }

    /// The image file name (gzip-compressed).
    public var imagesFileName: String { "\(filePrefix)-images-idx3-ubyte.gz" }
    /// The label file name (gzip-compressed).
    public var labelsFileName: String { "\(filePrefix)-labels-idx1-ubyte.gz" }
}

enum StandardIDXDataset {
    /// Loads one split from `directory`, or throws `.datasetMissing` telling which command
    /// installs the files.
    static func load(dataset: String, split: DatasetSplit, directory: String, fetchCommand: String) throws
        -> ImageDataset
    {
        // An empty name would read "/train-images-idx3-ubyte.gz" from the root.
        guard !directory.isEmpty else {
            throw DataError.invalidFile(
                path: directory,
                problem: "an empty string is not a \(dataset) directory; name the directory that holds its IDX files")
        }
        let images = try locate(split.imagesFileName, in: directory, dataset: dataset, fetchCommand: fetchCommand)
        let labels = try locate(split.labelsFileName, in: directory, dataset: dataset, fetchCommand: fetchCommand)
        return try ImageDataset(
            name: "\(dataset) \(split.rawValue)", imagesFile: images, labelsFile: labels, classCount: 10)
    }

    /// `directory/name`, or the same name without `.gz` when only the plain file is there.
    private static func locate(_ name: String, in directory: String, dataset: String, fetchCommand: String) throws
        -> String
    {
        let compressed = directory + "/" + name
        if FileManager.default.fileExists(atPath: compressed) { return compressed }
        let plain = directory + "/" + name.dropLast(3)
        if FileManager.default.fileExists(atPath: plain) { return plain }
        throw DataError.datasetMissing(
            dataset: dataset, directory: directory, missingFile: name, fetchCommand: fetchCommand)
    }

    /// True when all four files (compressed or plain) are in `directory`.
    static func isComplete(_ directory: String) -> Bool {
        DatasetSplit.allCases.allSatisfy { split in
            [split.imagesFileName, split.labelsFileName].allSatisfy { name in
                FileManager.default.fileExists(atPath: directory + "/" + name)
                    || FileManager.default.fileExists(atPath: directory + "/" + name.dropLast(3))
            }
        }
    }
}
