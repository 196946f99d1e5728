/// What a saved model holds, for people: its feeds and fetches, its ops one per line with their
/// slots and the attributes that say what they compute, its variables, and its parameters
/// (persistable tensors) with element counts, bytes and totals. `fluid show` prints it.
///
/// ```swift
/// let summary = ModelSummary(try loadInferenceModel(from: "cnn.pdmodel"))
/// summary.parameters.count   // 10
/// summary.totalElements      // 33660
/// print(summary)
/// ```
public struct ModelSummary: CustomStringConvertible {
    /// One op: its position in its block, type, slots, and the attributes worth showing.
    public struct Operation {
        public let block: Int
        public let index: Int
        public let type: String
        public let inputs: [(slot: String, names: [String])]
        public let outputs: [(slot: String, names: [String])]
        /// Sorted by name, without Paddle's bookkeeping (`op_callstack`, `op_role`, ...).
        public let attributes: [(name: String, value: Attribute)]
    }

    /// One declared variable.
    public struct Variable {
        public let block: Int
        public let name: String
        public let kind: VarKind
        public let dtype: DataType
        /// -1 for a size known only when the model runs (the batch).
        public let shape: [Int]
        public let persistable: Bool
    }

    /// One persistable tensor saved with the model.
    public struct Parameter {
        public let name: String
        public let dtype: DataType
        public let shape: [Int]
        public let elementCount: Int
        public var byteCount: Int { elementCount * dtype.size }
    }

    public let feeds: [String]
    public let fetches: [String]
    public let operations: [Operation]
    public let variables: [Variable]
    /// Sorted by name, as the model files store them.
    public let parameters: [Parameter]

    /// Attributes shown by no summary: Paddle's bookkeeping, which says nothing about what an op computes.
    public static let hiddenAttributes: Set<String> = Program.bookkeepingAttributes.union([OpRole.attributeName])

    /// The summary of a loaded model; parameter sizes are those of the tensors it loaded.
    public init(_ model: InferenceModel) {
        self.init(program: model.program, feeds: model.feedNames, fetches: model.fetchNames, scope: model.scope)
    }

    /// The summary of `program`. A parameter's shape is that of its tensor in `scope` when the
    /// scope holds one, else its declared shape (an unknown size counts as 0 elements).
    public init(program: Program, feeds: [String], fetches: [String], scope: Scope? = nil) {
        self.feeds = feeds
        self.fetches = fetches
        operations = program.blocks.flatMap { block in
            block.ops.enumerated().map { i, op in
                Operation(
                    block: block.index, index: i, type: op.type, inputs: op.inputs, outputs: op.outputs,
                    attributes: op.attributes.keys.sorted().filter { !Self.hiddenAttributes.contains($0) }
                        .compactMap { name in op.attributes[name].map { (name, $0) } })
            }
        }
        variables = program.blocks.flatMap { block in
            block.vars.map {
                Variable(
                    block: block.index, name: $0.name, kind: $0.kind, dtype: $0.dtype, shape: $0.shape,
                    persistable: $0.persistable)
            }
        }
        parameters = PersistableFiles.variables(of: program).map { v in
            let shape = scope?[v.name]?.shape ?? v.shape
            let count = shape.allSatisfy { $0 >= 0 } ? shape.reduce(1, *) : 0
            return Parameter(name: v.name, dtype: v.dtype, shape: shape, elementCount: count)
        }
    }

    /// Elements of all parameters.
    public var totalElements: Int { parameters.reduce(0) { $0 + $1.elementCount } }
    /// Bytes of all parameters' elements.
    public var totalBytes: Int { parameters.reduce(0) { $0 + $1.byteCount } }

    public var description: String {
        var lines: [String] = []
        let declared = Dictionary(
            variables.filter { $0.block == 0 }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func target(_ name: String) -> String {
            guard let v = declared[name] else { return "  \(name)" }
            return "  \(name): \(v.dtype) \(Self.shape(v.shape))"
        }
        lines.append("feeds (\(feeds.count)):")
        lines += feeds.map(target)
        lines.append("fetches (\(fetches.count)):")
        lines += fetches.map(target)

        let multipleBlocks = Set(operations.map(\.block)).count > 1 || Set(variables.map(\.block)).count > 1
        lines.append("")
        lines.append("ops (\(operations.count)):")
        for op in operations {
            func slots(_ list: [(slot: String, names: [String])]) -> String {
                list.filter { !$0.names.isEmpty }.map { "\($0.slot)=[\($0.names.joined(separator: ", "))]" }.joined(
                    separator: ", ")
            }
            var line =
                "  " + (multipleBlocks ? "\(op.block)." : "") + "\(op.index)".padding(3) + " " + op.type.padding(24)
            line += " " + slots(op.inputs) + " -> " + slots(op.outputs)
            if !op.attributes.isEmpty {
                line += "  {" + op.attributes.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
            }
            lines.append(line)
        }

        lines.append("")
        lines.append("variables (\(variables.count)):")
        let nameWidth = min(40, variables.map(\.name.count).max() ?? 0)
        for v in variables {
            let shape = v.kind.hasTensorDesc ? "\(v.dtype) \(Self.shape(v.shape))" : ""
            let line =
                "  " + (multipleBlocks ? "\(v.block) " : "") + v.name.padding(nameWidth) + "  "
                + Self.kindName(v.kind).padding(16)
                + shape + (v.persistable ? "  persistable" : "")
            lines.append(line.trailingSpacesTrimmed)
        }

        lines.append("")
        lines.append("parameters (\(parameters.count)):")
        let parameterWidth = min(40, parameters.map(\.name.count).max() ?? 0)
        for p in parameters {
            lines.append(
                "  " + p.name.padding(parameterWidth) + "  " + "\(p.dtype) \(Self.shape(p.shape))".padding(24)
                    + Self.grouped(p.elementCount).leftPadding(10) + " elements"
                    + Self.grouped(p.byteCount).leftPadding(12) + " bytes")
        }
        lines.append(
            "total: \(parameters.count) parameters, \(Self.grouped(totalElements)) elements, "
                + "\(Self.humanBytes(totalBytes)) (\(Self.grouped(totalBytes)) bytes)")
        return lines.joined(separator: "\n")
    }

    /// A shape with sizes known only at run time shown as `?`: `[?, 1, 28, 28]`.
    public static func shape(_ shape: [Int]) -> String {
        "[" + shape.map { $0 < 0 ? "?" : "\($0)" }.joined(separator: ", ") + "]"
    }

    /// A byte count in binary units with one decimal: `512 B`, `130.9 KiB`, `1.5 MiB`.
    public static func humanBytes(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) \(units[unit])"
    }

    /// An integer with thousands separated by commas: `33,500`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Paddle's name of a variable kind (`VarType.Type`), in lower case.
    public static func kindName(_ kind: VarKind) -> String {
        switch kind {
        case .lodTensor: "lod_tensor"
        case .selectedRows: "selected_rows"
        case .feedMinibatch: "feed_minibatch"
        case .fetchList: "fetch_list"
        case .stepScopes: "step_scopes"
        case .lodRankTable: "lod_rank_table"
        case .lodTensorArray: "lod_tensor_array"
        case .placeList: "place_list"
        case .reader: "reader"
        case .raw: "raw"
        case .tuple: "tuple"
        case .string: "string"
        case .strings: "strings"
        case .vocab: "vocab"
        case .feedList: "feed_list"
        }
    }
}

extension String {
    /// Padded with spaces on the right to `width` characters (unchanged when longer).
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// Padded with spaces on the left to `width` characters.
    fileprivate func leftPadding(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    fileprivate var trailingSpacesTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
