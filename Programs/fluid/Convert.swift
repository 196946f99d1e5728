import ArgumentParser
import Fluid

extension ModelLayout: ExpressibleByArgument {}

/// `fluid convert MODEL OUT --layout L`: the same model saved in the other (or the same) layout.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Load a model and save it in the directory (fluid 1.x: OUT/__model__ and one file per parameter) or combined (OUT.pdmodel and OUT.pdiparams) layout."
    )

    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String
    @Argument(help: "Where to save: a directory (directory layout) or a prefix (combined layout).") var out: String
    @Option(help: "directory or combined.") var layout: ModelLayout
    @Flag(help: "Run the inference passes on the loaded program before saving it.") var optimize = false

    func run() throws {
        let loaded = try loadInferenceModel(from: model, optimize: optimize)
        try saveInferenceModel(
            to: out, feeds: loaded.feedNames, fetches: loaded.fetchNames, program: loaded.program,
            scope: loaded.scope, layout: layout)
        let summary = ModelSummary(loaded)
        let parameters = "\(summary.parameters.count) parameters, \(ModelSummary.humanBytes(summary.totalBytes))"
        switch layout {
        case .directory:
            print("wrote \(out)/__model__ and \(summary.parameters.count) parameter files in \(out) (\(parameters))")
        case .combined:
            let prefix = out.hasSuffix(".pdmodel") ? String(out.dropLast(".pdmodel".count)) : out
            print("wrote \(prefix).pdmodel and \(prefix).pdiparams (\(parameters))")
        }
        print(
            "feeds: \(loaded.feedNames.joined(separator: ", ")); fetches: \(loaded.fetchNames.joined(separator: ", "))")
    }
}
