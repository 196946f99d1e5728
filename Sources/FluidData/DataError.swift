import Fluid

/// Errors of the data layer. Each case names the file, dataset or feed variable at fault
/// and reads as a sentence a user can act on.
///
/// ```swift
/// do { _ = try MNIST.train() }
/// catch let error as DataError { print(error) }   // "MNIST is not installed in ...: run `Tools/fetch-mnist`."
/// ```
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file that should exist does not.
    case fileNotFound(path: String)
    /// The operating system or zlib refused to read a file.
    case cannotRead(path: String, reason: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// A file ends before the part named by `part` is complete.
    case truncated(path: String, part: String, expectedBytes: Int, foundBytes: Int)
    /// A file's content is not what its format requires.
    case invalidFile(path: String, problem: String)
    /// An image file and its label file hold different numbers of items.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A dataset's files are not installed; `fetchCommand` installs them.
    case datasetMissing(dataset: String, directory: String, missingFile: String, fetchCommand: String)
    /// A PNG file libpng refused.
    case invalidPNG(path: String, problem: String)
    /// A PNG whose header claims more pixels than SwiftFluid decodes (`FluidLimits.maxImageSide`,
    /// `FluidLimits.maxImagePixels`); `limit` is the side limit.
    case imageTooLarge(path: String, width: Int, height: Int, limit: Int)
    /// A file that needs more than one of `FluidLimits` allows: `problem` says what it claims,
    /// `value` is the limit's value when it was checked.
    case limitExceeded(path: String, problem: String, limit: FluidLimits.Limit, value: Int)
    /// A size asked of an image (a resize target, a digit side) that is not in 1...limit.
    case invalidImageSize(width: Int, height: Int, limit: Int)
    /// A sample index outside a dataset.
    case indexOutOfRange(dataset: String, index: Int, count: Int)
    /// A feed name that is not a variable of the program.
    case unknownFeedVariable(name: String)
    /// A sample's field does not fit the feed variable it is fed to.
    case feedMismatch(variable: String, problem: String)
    /// A sample holds a different number of fields than the feed list names.
    case feedFieldCount(expected: Int, found: Int)
    /// A batch with no samples.
    case emptyBatch

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "File '\(path)' does not exist."
        case .cannotRead(let path, let reason):
            "File '\(path)' cannot be read: \(reason)."
        case .cannotWrite(let path, let reason):
            "File '\(path)' cannot be written: \(reason)."
        case .truncated(let path, let part, let expected, let found):
            "File '\(path)' is truncated: its \(part) needs \(expected) bytes, found \(found)."
        case .invalidFile(let path, let problem):
            "File '\(path)' is invalid: \(problem)."
        case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
            "Image file '\(imagesPath)' holds \(imageCount) images but label file '\(labelsPath)' holds \(labelCount) labels; they must agree."
        case .datasetMissing(let dataset, let directory, let missingFile, let fetchCommand):
            "\(dataset) is not installed: '\(missingFile)' is missing from \(directory). Run `\(fetchCommand)` to install it."
        case .invalidPNG(let path, let problem):
            "PNG file '\(path)' cannot be decoded: \(problem)."
        case .imageTooLarge(let path, let width, let height, let limit):
            "PNG file '\(path)' claims \(width) x \(height) pixels, more than the limit of \(limit) a side and \(FluidLimits.maxImagePixels) in all; it was not decoded. Raise FluidLimits.maxImageSide or FluidLimits.maxImagePixels to decode a file you trust."
        case .limitExceeded(let path, let problem, let limit, let value):
            "File '\(path)' was refused before loading: \(problem), more than \(FluidLimits.refusal(limit, value: value))."
        case .invalidImageSize(let width, let height, let limit):
            "An image of \(width) x \(height) pixels was asked for, but each side must lie in 1...\(limit)."
        case .indexOutOfRange(let dataset, let index, let count):
            "Sample \(index) is outside \(dataset), which holds samples 0..<\(count)."
        case .unknownFeedVariable(let name):
            "Feed '\(name)' is not a variable of the program; feed the names of its data variables."
        case .feedMismatch(let variable, let problem):
            "Feed '\(variable)': \(problem)."
        case .feedFieldCount(let expected, let found):
            "The feed list names \(expected) variables but the sample holds \(found) fields; give one field per feed variable, in order."
        case .emptyBatch:
            "The batch holds no samples; a feed needs at least one."
        }
    }
}
