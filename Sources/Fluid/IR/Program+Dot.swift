/// A block as a Graphviz graph: ops are boxes, variables ellipses (parameters filled, the feed
/// and fetch lists dashed), and edges run from each input variable to the op and from the op to
/// each output, labelled with the slot. Render it with `dot -Tsvg program.dot -o program.svg`.
///
/// ```swift
/// let model = try loadInferenceModel(from: "recognize_digits.inference.model")
/// try model.program.dot().write(toFile: "model.dot", atomically: true, encoding: .utf8)
/// ```
extension Program {
    /// The Graphviz `digraph` of `block` (the global block by default). Node identifiers are
    /// generated (`op0`, `var0`, ...); names appear only in quoted, escaped labels, so any
    /// variable name is safe.
    public func dot(block: Block? = nil, name: String = "program") -> String {
        let block = block ?? globalBlock
        var lines = [
            "digraph \(DotSyntax.quoted(name)) {",
            "  rankdir=TB;",
            "  node [fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=8];",
        ]
        var ids: [String: String] = [:]
        func variableNode(_ name: String, _ v: VarDesc?) {
            let id = "var\(ids.count)"
            ids[name] = id
            var label = name
            var style = "shape=ellipse"
            if let v {
                if v.kind.hasTensorDesc { label += "\n\(v.dtype) " + DotSyntax.shape(v.shape) }
                if v.kind == .feedMinibatch || v.kind == .fetchList {
                    style += ", style=dashed"
                } else if v.persistable {
                    style += ", style=filled, fillcolor=\"#f5deb3\""
                }
            } else {
                style += ", style=dotted"
            }
            lines.append("  \(id) [label=\(DotSyntax.quoted(label)), \(style)];")
        }
        for v in block.vars { variableNode(v.name, v) }
        for op in block.ops {
            for name in op.inputNames + op.outputNames where ids[name] == nil {
                variableNode(name, block.findVar(name))
            }
        }
        for (i, op) in block.ops.enumerated() {
            lines.append(
                "  op\(i) [label=\(DotSyntax.quoted("\(i): \(op.type)")), shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f7\"];"
            )
        }
        for (i, op) in block.ops.enumerated() {
            for (slot, names) in op.inputs {
                for name in names {
                    lines.append("  \(ids[name, default: "?"]) -> op\(i) [label=\(DotSyntax.quoted(slot))];")
                }
            }
            for (slot, names) in op.outputs {
                for name in names {
                    lines.append("  op\(i) -> \(ids[name, default: "?"]) [label=\(DotSyntax.quoted(slot))];")
                }
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Graphviz's quoting rules for the strings SwiftFluid writes.
enum DotSyntax {
    /// `s` as a double-quoted dot string: backslashes and quotes escaped, line breaks as `\n`.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": break
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// A shape with unknown sizes as `?`.
    static func shape(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "?" : "\($0)" }.joined(separator: ", ") + "]"
    }
}
