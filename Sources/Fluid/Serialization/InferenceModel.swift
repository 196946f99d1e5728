import Foundation

/// A model loaded for inference: its program (with `feed` and `fetch` ops), the names to feed
/// in column order, the names it fetches, and a scope holding its parameters.
///
/// ```swift
/// let model = try loadInferenceModel(from: "recognize_digits.inference.model")
/// let out = try Executor().run(model.program, scope: model.scope, feed: [model.feedNames[0]: images],
///                              fetch: model.fetchNames)
/// ```
public struct InferenceModel {
    public let program: Program
    public let feedNames: [String]
    public let fetchNames: [String]
    public let scope: Scope
    public let layout: ModelLayout
}

/// Loads an inference model written by SwiftFluid or PaddlePaddle in either layout. `path` is
/// a directory (holding `__model__`, or one `.pdmodel`), a prefix `P` of `P.pdmodel` and
/// `P.pdiparams`, or a `.pdmodel` path. Every file is checked before anything is allocated for
/// it, against `FluidLimits` (`maxModelBytes`, `maxParameterFileBytes`, `maxTensorElements`,
/// `maxTensorBytes`) among others; errors name the file, the variable and the problem. With `optimize`, the inference
/// passes run on the loaded program.
public func loadInferenceModel(from path: String, optimize: Bool = false) throws -> InferenceModel {
    let location = try ModelLocation(finding: path)
    let program = try ProgramDesc.decode(
        try readFile(location.programPath, limit: .maxModelBytes), source: location.programPath)
    let (feeds, fetches) = try InferenceModelCheck.feedsAndFetches(program, file: location.programPath)
    try InferenceModelCheck.opsSupported(program, file: location.programPath)
    let scope = Scope()
    try PersistableFiles.read(
        PersistableFiles.variables(of: program), layout: location.layout,
        from: location.parametersPath, into: scope)
    if optimize {
        try PassManager(PassManager.inferencePasses, feeds: feeds, fetches: fetches).run(on: program, scope: scope)
    }
    return InferenceModel(
        program: program, feedNames: feeds, fetchNames: fetches, scope: scope, layout: location.layout)
}

/// What a loaded inference program must satisfy before it can run.
enum InferenceModelCheck {
    /// The targets of the feed and fetch ops in column order; each column once, each target declared.
    static func feedsAndFetches(_ program: Program, file: String) throws -> (feeds: [String], fetches: [String]) {
        let block = program.globalBlock
        func columns(_ type: String, slot: String, input: Bool) throws -> [String] {
            var byColumn: [Int: String] = [:]
            for op in block.ops where op.type == type {
                let names = input ? op.input(slot) : op.output(slot)
                guard names.count == 1, let name = names.first else {
                    throw FluidError.file(
                        path: file,
                        message: "a '\(type)' op has \(names.count) variables in slot \(slot); it needs exactly one")
                }
                guard block.findVar(name) != nil else {
                    throw FluidError.file(
                        path: file,
                        message:
                            "the '\(type)' op of column \(op.attributes["col"]?.intValue ?? 0) names variable '\(name)', which the program does not declare"
                    )
                }
                let col = op.attributes["col"]?.intValue ?? 0
                guard col >= 0, byColumn[col] == nil else {
                    throw FluidError.file(path: file, message: "two '\(type)' ops use column \(col)")
                }
                byColumn[col] = name
            }
            guard byColumn.keys.sorted() == Array(0..<byColumn.count) else {
                throw FluidError.file(
                    path: file, message: "the '\(type)' ops' columns \(byColumn.keys.sorted()) are not 0, 1, 2, ...")
            }
            return (0..<byColumn.count).map { byColumn[$0]! }
        }
        let feeds = try columns("feed", slot: "Out", input: false)
        let fetches = try columns("fetch", slot: "X", input: true)
        guard !fetches.isEmpty else {
            throw FluidError.file(path: file, message: "has no fetch ops, so an inference run would compute nothing")
        }
        return (feeds, fetches)
    }

    /// Every op must be one SwiftFluid can run.
    static func opsSupported(_ program: Program, file: String) throws {
        for block in program.blocks {
            for (i, op) in block.ops.enumerated() where !OpRegistry.contains(op.type) {
                throw FluidError.file(
                    path: file,
                    message:
                        "uses op type '\(op.type)' (op \(i) of block \(block.index)), which SwiftFluid does not support (`fluid ops` lists the supported ops)"
                )
            }
        }
    }
}
