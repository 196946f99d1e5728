import ArgumentParser
import Fluid

extension ModelLayout: ExpressibleByArgument {}

/// `fluid convert MODEL OUT --layout L`: the same model saved in the other (or the same)
/// layout; `fluid convert MODEL OUT.onnx [--opset N]`: the model as ONNX.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Load a model and save it in the directory (fluid 1.x: OUT/__model__ and one file per parameter) or combined (OUT.pdmodel and OUT.pdiparams) layout, or as ONNX when OUT ends in .onnx."
    )

    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String
    @Argument(help: "Where to save: a directory (directory layout), a prefix (combined layout) or an .onnx file.")
    var out: String
    @Option(help: "directory or combined (not for .onnx).") var layout: ModelLayout?
    @Option(help: "The ONNX opset to write (13 to 18).") var opset: Int = ONNXExporter.defaultOpset
    @Flag(help: "Run the inference passes on the loaded program before saving it.") var optimize = false

    var isONNX: Bool { out.lowercased().hasSuffix(".onnx") }

    func validate() throws {
        if isONNX {
            if layout != nil { throw ValidationError("--layout is for Paddle layouts; \(out) is written as ONNX") }
            guard ONNXExporter.supportedOpsets.contains(opset) else {
                throw ValidationError("--opset must lie in 13...18, got \(opset)")
            }
        } else if layout == nil {
            throw ValidationError("--layout directory or combined is needed (or an OUT ending in .onnx)")
        }
    }

    func run() throws {
        guard let layout, !isONNX else { return try writeONNX(try loadInferenceModel(from: model)) }
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

    /// ONNX wants each value written once: the inference passes run without the memory plan,
    /// whose point is to share names.
    func writeONNX(_ loaded: InferenceModel) throws {
        if optimize {
            try PassManager(
                PassManager.inferencePasses.filter { $0 != MemoryReusePlan.passName }, feeds: loaded.feedNames,
                fetches: loaded.fetchNames
            ).run(on: loaded.program, scope: loaded.scope)
        }
        let written = try saveONNX(
            program: loaded.program, scope: loaded.scope, feeds: loaded.feedNames, fetches: loaded.fetchNames, to: out,
            opset: opset)
        let graph = written.graph
        print(
            "wrote \(out) (ONNX opset \(written.opset), IR \(written.irVersion)): \(graph.nodes.count) nodes, \(graph.initializers.count) initializers"
        )
        print(
            "inputs: \(graph.inputs.map(\.name).joined(separator: ", ")); outputs: \(graph.outputs.map(\.name).joined(separator: ", "))"
        )
    }
}
