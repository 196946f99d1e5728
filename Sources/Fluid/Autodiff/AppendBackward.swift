/// A parameter and the variable that holds its gradient.
public struct ParameterGradient: Hashable, Sendable {
    public let parameter: String
    public let gradient: String
}

extension Program {
    /// Appends the backward pass of `loss` to the global block, as Paddle's `append_backward`:
    /// a `fill_constant` for `loss@GRAD` (role Backward|Loss), then the grad ops of the forward
    /// ops that lead to the loss, in reverse order, each from its op's gradient rule.
    ///
    /// Variables with `stop_gradient` (data variables by default), those in `noGradSet`, and
    /// those that depend on no trainable variable get no gradient. A gradient that several ops
    /// produce is written to `X@GRAD@RENAME@block0@N` by each and added by a `sum` op.
    ///
    /// ```swift
    /// let grads = try main.appendBackward(loss: avgCost)   // [(fc_0.w_0, fc_0.w_0@GRAD), ...]
    /// ```
    @discardableResult
    public func appendBackward(
        loss: String, parameterList: [String]? = nil,
        noGradSet: Set<String> = []
    ) throws -> [ParameterGradient] {
        let block = globalBlock
        guard let lossVar = block.findVar(loss) else {
            throw FluidError.missingVariable(
                name: loss, context: "appendBackward needs the loss variable declared in the program")
        }
        guard lossVar.shape.allSatisfy({ $0 >= 0 }) else {
            throw FluidError.program(
                "appendBackward: the loss '\(loss)' has shape \(lossVar.shape); it must have a known shape (reduce a per-sample loss with mean first)."
            )
        }
        let forwardOps = block.ops.enumerated().filter { $0.element.role == .forward || $0.element.role == .loss }
        guard let lossOpIndex = forwardOps.last(where: { $0.element.outputNames.contains(loss) })?.offset else {
            throw FluidError.program("appendBackward: no forward op computes the loss '\(loss)'.")
        }
        let path = try GradientPath(block: block, ops: forwardOps.map(\.element), loss: loss, noGradSet: noGradSet)
        block.ops[lossOpIndex].role = .loss

        var gradOps: [OpDesc] = []
        for op in forwardOps.map(\.element).reversed() where path.isOnPath(op) {
            let definition = try OpRegistry.definition(op.type)
            guard let rule = definition.gradient else {
                throw FluidError.program(
                    "appendBackward: op '\(op.type)' lies between the parameters and the loss '\(loss)' but has no gradient rule."
                )
            }
            let full = try definition.schema.bind(op)
            gradOps += rule(GradientContext(op: full, needsGradient: path.needsGradient)).filter(hasRealOutput)
        }
        gradOps = GradientAccumulation.renameAndSum(gradOps)

        var seed = OpDesc(
            type: "fill_constant", outputs: ["Out": [gradName(loss)]],
            attributes: [
                "shape": .longs(lossVar.shape.map(Int64.init)), "value": .float(1),
                "dtype": .int(lossVar.dtype.rawValue),
                "str_value": .string(""), "force_cpu": .bool(false),
            ])
        seed.role = [.backward, .loss]
        try block.appendInferred(seed)
        for op in gradOps { try block.appendInferred(op) }

        let parameters = parameterList ?? block.vars.filter { $0.isParameter && !$0.stopGradient }.map(\.name)
        return parameters.compactMap { p in
            let g = gradName(p)
            return block.findVar(g) == nil ? nil : ParameterGradient(parameter: p, gradient: g)
        }
    }

    private func hasRealOutput(_ op: OpDesc) -> Bool {
        op.outputNames.contains(where: isRealName)
    }
}

/// Which variables of a forward program need a gradient for one loss: those that depend on a
/// trainable variable and that the loss depends on.
struct GradientPath {
    private var requiresGrad: Set<String> = []
    private var reachesLoss: Set<String> = []

    init(block: Block, ops: [OpDesc], loss: String, noGradSet: Set<String>) throws {
        func trainable(_ name: String) -> Bool {
            guard !noGradSet.contains(name), let v = block.findVar(name) else { return false }
            return !v.stopGradient && v.dtype.isFloatingPoint
        }
        for op in ops {
            for name in op.inputNames where trainable(name) && (block.findVar(name)?.isParameter ?? false) {
                requiresGrad.insert(name)
            }
            if op.inputNames.contains(where: requiresGrad.contains) {
                for name in op.outputNames where trainable(name) { requiresGrad.insert(name) }
            }
        }
        guard requiresGrad.contains(loss) else {
            throw FluidError.program("appendBackward: the loss '\(loss)' depends on no trainable parameter.")
        }
        reachesLoss = [loss]
        for op in ops.reversed() where op.outputNames.contains(where: reachesLoss.contains) {
            for name in op.inputNames where requiresGrad.contains(name) { reachesLoss.insert(name) }
        }
    }

    func needsGradient(_ name: String) -> Bool { requiresGrad.contains(name) && reachesLoss.contains(name) }

    /// An op whose gradient is needed: it turns a variable needing a gradient into one that reaches the loss.
    func isOnPath(_ op: OpDesc) -> Bool {
        op.outputNames.contains(where: needsGradient) && op.inputNames.contains(where: needsGradient)
    }
}
