/// What an op's shape inference reads and writes: input metas by slot, output metas by slot.
/// Used both when a program is built (batch size -1) and when a plan is compiled (concrete sizes).
public struct ShapeContext {
    public let op: OpDesc
    private let lookup: (String) -> TensorMeta?
    public private(set) var results: [(name: String, meta: TensorMeta)] = []

    public init(op: OpDesc, lookup: @escaping (String) -> TensorMeta?) {
        self.op = op
        self.lookup = lookup
    }

    /// True when the slot names at least one variable.
    public func has(_ slot: String) -> Bool { !op.input(slot).filter(isRealName).isEmpty }

    /// Meta of the input at `index` of `slot`; throws naming the op and slot when absent.
    public func input(_ slot: String, at index: Int = 0) throws -> TensorMeta {
        let names = op.input(slot)
        guard index < names.count, isRealName(names[index]) else {
            throw FluidError.shapeMismatch(op: op.type, slot: slot, message: "needs a variable, but none is given")
        }
        guard let m = lookup(names[index]) else {
            throw FluidError.missingVariable(
                name: names[index], context: "input '\(slot)' of op '\(op.type)' is not declared or computed before it")
        }
        return m
    }

    /// Meta of an input that must hold `dtype`: the dtype a kernel reads, refused here, by slot,
    /// rather than misread by a kernel.
    public func input(_ slot: String, at index: Int = 0, dtype: DataType) throws -> TensorMeta {
        let m = try input(slot, at: index)
        try require(m, of: slot, dtype: dtype)
        return m
    }

    /// Meta of an input that must hold `dtype` and have the shape of `reference` (the input or
    /// output meta of `referenceSlot`); a size unknown at build time (-1) agrees with any.
    public func input(
        _ slot: String, dtype: DataType, shapeOf reference: TensorMeta, in referenceSlot: String
    ) throws -> TensorMeta {
        let m = try input(slot, dtype: dtype)
        try require(m, of: slot, shapeOf: reference, in: referenceSlot)
        return m
    }

    // The checks below take a meta already at hand (an input read once, an output's planned meta).

    /// Throws `FluidError.dtypeMismatch` unless `meta` holds `dtype`.
    public func require(_ meta: TensorMeta, of slot: String, dtype: DataType) throws {
        guard meta.dtype == dtype else {
            throw FluidError.dtypeMismatch(
                op: op.type, slot: slot,
                message: "must hold \(dtype) elements (the kernels' type), got \(meta)")
        }
    }

    /// Throws `FluidError.shapeMismatch` unless `meta` has the shape of `reference`, the meta of
    /// `referenceSlot` (-1 agrees with any size).
    public func require(_ meta: TensorMeta, of slot: String, shapeOf reference: TensorMeta, in referenceSlot: String)
        throws
    {
        guard shapesAgree(meta.shape, reference.shape) else {
            throw error(
                slot, "has shape \(meta.shape), but must have the shape of \(referenceSlot), \(reference.shape)")
        }
    }

    /// Throws unless `meta` holds exactly one element (or an unknown count at build time).
    public func requireOneElement(_ meta: TensorMeta, of slot: String) throws {
        let count = knownProduct(meta.shape)
        guard count == 1 || count < 0 else { throw error(slot, "must hold one element, got \(meta)") }
    }

    /// `axis` counted from the end when negative, checked against the rank of `meta` (a rank-0
    /// tensor counts as rank 1); throws naming the slot when it lies outside.
    public func normalizedAxis(_ axis: Int, of slot: String, _ meta: TensorMeta) throws -> Int {
        guard let a = NNSupport.normalizedAxis(axis, rank: meta.rank) else {
            throw error(slot, "axis \(axis) is outside the rank of \(meta.shape)")
        }
        return a
    }

    /// Meta of the input, or nil when the slot is empty.
    public func inputIfPresent(_ slot: String) throws -> TensorMeta? {
        has(slot) ? try input(slot) : nil
    }

    /// Metas of every input in a duplicable slot.
    public func inputs(_ slot: String) throws -> [TensorMeta] {
        try op.input(slot).indices.filter { isRealName(op.input(slot)[$0]) }.map { try input(slot, at: $0) }
    }

    /// Records the meta of the output at `index` of `slot`; a slot the op leaves empty is skipped.
    public mutating func setOutput(_ slot: String, _ meta: TensorMeta, at index: Int = 0) {
        let names = op.output(slot)
        guard index < names.count, isRealName(names[index]) else { return }
        results.append((names[index], meta))
    }

    /// Throws `FluidError.tensorTooLarge` when an output's known dimensions (-1 counted as 1)
    /// hold more than `Tensor.maximumElementCount` elements or their product overflows.
    func checkOutputSizes() throws {
        for (name, meta) in results {
            let known = meta.shape.map { $0 < 0 ? 1 : $0 }
            guard Tensor.elementCount(of: known) == nil else { continue }
            let slot = op.outputs.first { $0.names.contains(name) }?.slot ?? name
            throw FluidError.tensorTooLarge(op: op.type, slot: slot, variable: name, shape: meta.shape)
        }
    }

    /// A shape error naming this op and `slot`.
    public func error(_ slot: String, _ message: String) -> FluidError {
        .shapeMismatch(op: op.type, slot: slot, message: message)
    }
}

/// The float32 meta of `slot`, after checking that `other` (a gradient fed back) has its shape.
func sameShape(_ ctx: ShapeContext, _ slot: String, _ other: String) throws -> TensorMeta {
    let m = try ctx.input(slot, dtype: .float32)
    _ = try ctx.input(other, dtype: .float32, shapeOf: m, in: slot)
    return m
}

/// Two sizes agree when equal or when either is unknown (-1) at build time.
@inline(__always)
func dimsAgree(_ a: Int, _ b: Int) -> Bool { a == b || a < 0 || b < 0 }

/// Two shapes agree when of one rank with every pair of sizes agreeing.
func shapesAgree(_ a: [Int], _ b: [Int]) -> Bool { a.count == b.count && zip(a, b).allSatisfy(dimsAgree) }

/// Product of `dims`, or -1 when any is unknown.
func knownProduct<C: Collection>(_ dims: C) -> Int where C.Element == Int {
    dims.contains { $0 < 0 } ? -1 : dims.reduce(1, *)
}
