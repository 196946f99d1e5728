/// Dtype and shape of a variable as shape inference sees it (-1 marks an unknown size).
public struct TensorMeta: Equatable, Sendable, CustomStringConvertible {
    public var dtype: DataType
    public var shape: [Int]

    public init(_ dtype: DataType, _ shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    public var rank: Int { shape.count }
    public var description: String { "\(dtype)\(shape)" }
}

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

    /// Meta of a float32 input. Other dtypes have no kernel, so they are refused here, by slot,
    /// rather than misread by a kernel.
    public func float32Input(_ slot: String, at index: Int = 0) throws -> TensorMeta {
        let m = try input(slot, at: index)
        guard m.dtype == .float32 else {
            throw error(
                slot, "\(slot) must hold float32 elements (the only kernels there are), got \(m.dtype)\(m.shape)")
        }
        return m
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

    /// An error naming this op and `slot`.
    public func error(_ slot: String, _ message: String) -> FluidError {
        .shapeMismatch(op: op.type, slot: slot, message: message)
    }
}

/// The float32 meta of `slot`, after checking that `other` (a gradient fed back) has its shape.
func sameShape(_ ctx: ShapeContext, _ slot: String, _ other: String) throws -> TensorMeta {
    let m = try ctx.float32Input(slot)
    let o = try ctx.float32Input(other)
    guard m.shape.count == o.shape.count, zip(m.shape, o.shape).allSatisfy(dimsAgree) else {
        throw ctx.error(other, "\(other) has shape \(o.shape), but \(slot) has \(m.shape)")
    }
    return m
}

/// The name Paddle gives an absent gradient in a duplicable slot.
public let emptyVarName = "@EMPTY@"

@inline(__always)
func isRealName(_ name: String) -> Bool { !name.isEmpty && name != emptyVarName }

/// Two sizes agree when equal or when either is unknown (-1) at build time.
@inline(__always)
public func dimsAgree(_ a: Int, _ b: Int) -> Bool { a == b || a < 0 || b < 0 }

/// Product of `dims`, or -1 when any is unknown.
public func knownProduct<C: Collection>(_ dims: C) -> Int where C.Element == Int {
    dims.contains { $0 < 0 } ? -1 : dims.reduce(1, *)
}
