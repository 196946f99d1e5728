import Foundation

/// Saves the part of `program` that computes `fetches` from `feeds` as an inference model, as
/// Paddle's `save_inference_model` does: the program is pruned to those ops, `is_test` is set,
/// `feed` ops (column i fills feeds[i]) and `fetch` ops are added, and the program and its
/// persistables are written in `layout`: into the directory `path`, or as `path.pdmodel` and
/// `path.pdiparams`. Files are replaced atomically: a save that fails or is killed midway leaves
/// the previous model in place. Subdirectories of an existing model directory (a checkpoint) are kept.
///
/// ```swift
/// try saveInferenceModel(to: "recognize_digits.inference.model", feeds: ["img"],
///                        fetches: [prediction.name], program: main, scope: scope)
/// ```
public func saveInferenceModel(
    to path: String, feeds: [String], fetches: [String], program: Program, scope: Scope,
    layout: ModelLayout = .directory
) throws {
    var writer = AtomicFileWriter()
    try saveInferenceModel(
        to: path, feeds: feeds, fetches: fetches, program: program, scope: scope, layout: layout, writer: &writer)
}

/// `saveInferenceModel(to:feeds:fetches:program:scope:layout:)` for the `Variable`s a
/// `ProgramBuilder` returned:
///
/// ```swift
/// try saveInferenceModel(to: "mlp.inference.model", feeding: [img], fetching: [prediction], program: main, scope: scope)
/// ```
public func saveInferenceModel(
    to path: String, feeding feeds: [Variable], fetching fetches: [Variable], program: Program, scope: Scope,
    layout: ModelLayout = .directory
) throws {
    try saveInferenceModel(
        to: path, feeds: feeds.map(\.name), fetches: fetches.map(\.name), program: program, scope: scope, layout: layout
    )
}

func saveInferenceModel(
    to path: String, feeds: [String], fetches: [String], program: Program, scope: Scope,
    layout: ModelLayout, writer: inout AtomicFileWriter
) throws {
    let inference = try InferenceProgram.make(from: program, feeds: feeds, fetches: fetches)
    let variables = PersistableFiles.variables(of: inference)
    let bytes = ProgramDesc.encode(inference)
    let location = ModelLocation(saving: path, layout: layout)
    switch layout {
    case .directory:
        // Subdirectories (a user's checkpoints, say) survive a re-save; files are replaced.
        let keepSubdirectories: (String) -> Bool = { entry in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/" + entry, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        try writer.replaceDirectory(path, keep: keepSubdirectories) { directory, writer in
            try PersistableFiles.write(variables, from: scope, layout: .directory, to: directory, writer: &writer)
            try writer.write(bytes, to: directory + "/" + ModelLocation.programFileName)
        }
    case .combined:
        let parent = URL(fileURLWithPath: location.programPath).deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw FluidError.file(path: parent, message: "cannot be created (\(error.localizedDescription))")
        }
        try PersistableFiles.write(
            variables, from: scope, layout: .combined, to: location.parametersPath, writer: &writer)
        try writer.write(bytes, to: location.programPath)
    }
}

/// The program an inference model holds.
enum InferenceProgram {
    static func make(from program: Program, feeds: [String], fetches: [String]) throws -> Program {
        let block = program.globalBlock
        guard !fetches.isEmpty else {
            throw FluidError.program("save_inference_model needs at least one fetch target.")
        }
        for name in feeds + fetches where block.findVar(name) == nil {
            throw FluidError.missingVariable(
                name: name,
                context: "it is a feed or fetch target of the inference model, but the program does not declare it")
        }
        let p = program.copy()
        p.globalBlock.ops.removeAll { $0.type == "feed" || $0.type == "fetch" }
        p.globalBlock.removeVars { $0.kind == .feedMinibatch || $0.kind == .fetchList }
        try p.inferenceOptimize(fetches: fetches)
        try p.prune(feeds: feeds, fetches: fetches)
        addFeedAndFetchOps(p, feeds: feeds, fetches: fetches)
        return p
    }

    /// Paddle's edges: a `feed` list variable read by one `feed` op per target (column i fills
    /// feeds[i]; each is prepended, so they end up in reverse order), and a `fetch` list written
    /// by one `fetch` op per target, appended.
    static func addFeedAndFetchOps(_ p: Program, feeds: [String], fetches: [String]) {
        let block = p.globalBlock
        block.addVar(VarDesc(name: "feed", kind: .feedMinibatch, persistable: true))
        block.addVar(VarDesc(name: "fetch", kind: .fetchList, persistable: true))
        var ops = block.ops
        for (i, name) in feeds.enumerated() {
            ops.insert(
                OpDesc(
                    type: "feed", inputs: ["X": ["feed"]], outputs: ["Out": [name]], attributes: ["col": .int(Int32(i))]
                ), at: 0)
        }
        for (i, name) in fetches.enumerated() {
            ops.append(
                OpDesc(
                    type: "fetch", inputs: ["X": [name]], outputs: ["Out": ["fetch"]],
                    attributes: ["col": .int(Int32(i))]))
        }
        block.ops = ops
    }
}
