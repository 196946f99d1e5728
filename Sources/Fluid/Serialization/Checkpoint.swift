import Foundation

/// A training checkpoint: every persistable of a training program (parameters, batch_norm
/// statistics, optimizer moments and beta powers, the learning rate, step counters) as one
/// tensor-stream file per variable, as Paddle's `save_persistables` writes them, plus what the
/// training loop needs to continue, as opaque metadata it encodes itself.
///
/// ```swift
/// try Checkpoint.save(program: main, scope: scope, to: "model/checkpoint", metadata: try JSONEncoder().encode(state))
/// let metadata = try Checkpoint.load(program: main, into: scope, from: "model/checkpoint")
/// ```
public enum Checkpoint {
    /// The file that holds the training loop's metadata, beside the variables' files.
    public static let metadataFileName = "__training_state__.json"

    /// Writes every persistable of `program` from `scope` (and `metadata`, if given) into
    /// `directory`, replacing what was there atomically.
    public static func save(program: Program, scope: Scope, to directory: String, metadata: Data? = nil) throws {
        var writer = AtomicFileWriter()
        try save(program: program, scope: scope, to: directory, metadata: metadata, writer: &writer)
    }

    static func save(
        program: Program, scope: Scope, to directory: String, metadata: Data?, writer: inout AtomicFileWriter
    ) throws {
        let variables = PersistableFiles.variables(of: program)
        if variables.contains(where: { $0.name == metadataFileName }) {
            throw FluidError.program(
                "A persistable is named '\(metadataFileName)', the name of a checkpoint's metadata file.")
        }
        try writer.replaceDirectory(directory) { temporary, writer in
            try PersistableFiles.write(variables, from: scope, layout: .directory, to: temporary, writer: &writer)
            if let metadata { try writer.write(metadata, to: temporary + "/" + metadataFileName) }
        }
    }

    /// Reads every persistable of `program` from `directory` into `scope`, checking each against
    /// its declaration first (nothing is stored unless all are sound), and returns the metadata
    /// saved with them, if any.
    @discardableResult
    public static func load(program: Program, into scope: Scope, from directory: String) throws -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FluidError.file(path: directory, message: "holds no checkpoint (no such directory)")
        }
        try PersistableFiles.read(
            PersistableFiles.variables(of: program), layout: .directory, from: directory, into: scope)
        let metadataPath = directory + "/" + metadataFileName
        return FileManager.default.fileExists(atPath: metadataPath)
            ? try readFile(metadataPath, limit: .maxModelBytes) : nil
    }
}

/// Saves every persistable of `program` into `directory`, one file per variable (Paddle's
/// `save_persistables`). See `Checkpoint` for the training-loop metadata that can go with them.
public func savePersistables(of program: Program, scope: Scope, to directory: String) throws {
    try Checkpoint.save(program: program, scope: scope, to: directory)
}

/// Loads every persistable of `program` from `directory` into `scope` (Paddle's `load_persistables`).
public func loadPersistables(of program: Program, into scope: Scope, from directory: String) throws {
    try Checkpoint.load(program: program, into: scope, from: directory)
}
