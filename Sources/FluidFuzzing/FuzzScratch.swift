import Foundation
import Synchronization

/// A directory of this process's own, where file-based parsers read the inputs written for
/// them, and the fixed files some targets pair an input with: the exported softmax model of the
/// checkout, found at `$SWIFTFLUID_REPOSITORY` or the current directory. Each case gets files of
/// its own, so cases may run on several threads at once (as the test suite runs them).
final class FuzzScratch: Sendable {
    static let shared = FuzzScratch()

    let directory: String
    private let cases = Atomic<Int>(0)

    private init() {
        directory = NSTemporaryDirectory() + "swiftfluid-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `files` (suffix and bytes) under a fresh prefix, runs `body` with that prefix, and
    /// removes the files again.
    func withCase<T>(_ files: [(suffix: String, bytes: [UInt8])], _ body: (String) throws -> T) throws -> T {
        let prefix = directory + "/case-\(cases.wrappingAdd(1, ordering: .relaxed).oldValue)"
        defer { for file in files { try? FileManager.default.removeItem(atPath: prefix + file.suffix) } }
        for file in files { try Data(file.bytes).write(to: URL(fileURLWithPath: prefix + file.suffix)) }
        return try body(prefix)
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
