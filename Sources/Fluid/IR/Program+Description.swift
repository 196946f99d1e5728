/// `print(program)` shows one op a line as `outs = type(ins) {attrs}` with variable shapes:
/// a user's first debugging tool.
extension Program: CustomStringConvertible {
    /// Attributes every Paddle op may carry that say nothing about what it computes.
    static let bookkeepingAttributes: Set<String> = [
        "op_callstack", "op_device", "op_namescope", "op_role_var", "with_quant_attr",
        "use_mkldnn", "use_onednn", "mkldnn_data_type", "onednn_data_type", "use_cudnn", "use_quantizer",
    ]

    public var description: String {
        var lines: [String] = []
        for block in blocks {
            lines.append(
                "block \(block.index) (parent \(block.parentIndex)): \(block.vars.count) vars, \(block.ops.count) ops")
            for v in block.vars where v.persistable {
                lines.append("  param \(v.name): \(v.dtype)\(v.shape)\(v.isParameter ? "" : " (persistable)")")
            }
            for op in block.ops { lines.append("  " + describe(op, in: block)) }
        }
        return lines.joined(separator: "\n")
    }

    func describe(_ op: OpDesc, in block: Block) -> String {
        func show(_ name: String) -> String {
            guard let v = block.findVar(name) else { return name }
            return "\(name)\(v.shape)"
        }
        let outs = op.outputs.filter { !$0.names.isEmpty }
            .map { "\($0.slot)=\($0.names.map(show).joined(separator: ", "))" }.joined(separator: ", ")
        let ins = op.inputs.filter { !$0.names.isEmpty }
            .map { "\($0.slot)=\($0.names.map(show).joined(separator: ", "))" }.joined(separator: ", ")
        let attrs = op.attributes.keys.sorted()
            .filter { !Self.bookkeepingAttributes.contains($0) && $0 != OpRole.attributeName }
            .map { "\($0)=\(op.attributes[$0]!)" }.joined(separator: ", ")
        let role = op.role == .forward ? "" : " [role \(op.role.rawValue)]"
        return "\(outs) = \(op.type)(\(ins))\(attrs.isEmpty ? "" : " {\(attrs)}")\(role)"
    }
}
