import Foundation

/// A directory of this process's own, where file-based parsers read the inputs written for
/// them (one file per name, overwritten input after input), and the fixed files some targets
/// pair an input with: the exported softmax model of the checkout, found at
/// `$SWIFTFLUID_REPOSITORY` or the current directory.
final class FuzzScratch: Sendable {
    static let shared = FuzzScratch()

    let directory: String

    private init() {
        directory = NSTemporaryDirectory() + "swiftfluid-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    /// The checkout whose fixtures the targets use.
    static var repository: String {
        ProcessInfo.processInfo.environment["SWIFTFLUID_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
    }

    static let softmaxModel = fixture("Tests/Fixtures/paddle/export/softmax/softmax.pdmodel")
    static let softmaxParameters = fixture("Tests/Fixtures/paddle/export/softmax/softmax.pdiparams")

    private static func fixture(_ relativePath: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: repository + "/" + relativePath)))) ?? []
    }
}
