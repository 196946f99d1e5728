import Foundation

/// Files exported by PaddlePaddle 3.3.1, in Tests/Fixtures (see its README).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/paddle").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(relative))) }

    /// The Paddle ProgramDesc files: inference models in both layouts, with and without extra
    /// attributes, and the training, test and startup programs.
    static let programFiles: [String] = ["softmax", "mlp", "cnn"].flatMap { m in
        [
            "export/\(m)/\(m).pdmodel", "export/\(m)/full_attrs/\(m).pdmodel", "export/\(m)/fluid1x/__model__",
            "programs/\(m).train_main.programdesc", "programs/\(m).test_clone.programdesc",
            "programs/\(m).startup.programdesc",
        ]
    }

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "swiftfluid-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
