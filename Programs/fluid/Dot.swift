import ArgumentParser
import Fluid
import FluidData
import Foundation

/// `fluid dot MODEL`: the model's program as a Graphviz graph.
struct Dot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write a model's program as a Graphviz dot graph (ops as boxes, variables as ellipses, parameters filled).",
        discussion: "Render it with: dot -Tsvg model.dot -o model.svg")

    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String
    @Option(name: .shortAndLong, help: "Write the graph to this file instead of standard output.") var output: String?

    func run() throws {
        if let output { try checkWritable(output) }
        let loaded = try loadInferenceModel(from: model)
        let graph = loaded.program.dot(name: model)
        guard let output else {
            print(graph, terminator: "")
            return
        }
        try writeAtomically(Data(graph.utf8), to: output)
        print(
            "wrote \(output) (\(loaded.program.globalBlock.ops.count) ops, \(loaded.program.globalBlock.vars.count) variables)"
        )
    }
}
