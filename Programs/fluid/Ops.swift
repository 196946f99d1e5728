import ArgumentParser
import Fluid

/// `fluid ops`: the registered op types with their slots and attributes.
struct Ops: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every registered op type with its input slots, output slots and attributes (with defaults).")

    @Argument(help: "Show only these op types.")
    var types: [String] = []

    func run() throws {
        let definitions = types.isEmpty ? OpRegistry.all : try types.map { try OpRegistry.definition($0) }
        print(definitions.map { describe($0.schema) }.joined(separator: "\n\n"))
    }

    func describe(_ schema: OpSchema) -> String {
        func slot(_ s: SlotSpec) -> String {
            s.name + (s.duplicable ? "[]" : "") + (s.dispensable ? "?" : "")
        }
        var lines = [schema.type]
        lines.append("  inputs:  " + (schema.inputs.isEmpty ? "-" : schema.inputs.map(slot).joined(separator: ", ")))
        lines.append("  outputs: " + (schema.outputs.isEmpty ? "-" : schema.outputs.map(slot).joined(separator: ", ")))
        let attrs = schema.attributes.map { "\($0.name) = \($0.defaultValue)" }
        lines.append("  attrs:   " + (attrs.isEmpty ? "-" : attrs.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }
}
