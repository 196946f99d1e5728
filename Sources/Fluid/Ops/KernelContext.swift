/// A compiled op: runs one step against the tensors it was bound to.
public typealias Kernel = () throws -> Void

/// What a kernel factory receives when a plan is compiled: the op (attribute defaults filled),
/// its resolved tensors (outputs already sized by shape inference) and a seed for random ops.
/// Factories decode attributes here, once, so kernels do no lookups per step.
public struct KernelContext {
    public let op: OpDesc
    /// Deterministic per-op seed derived from the op's `seed` attribute or the program's
    /// `random_seed`; random when both are 0.
    public let seed: UInt64
    private let resolve: (String) -> Tensor

    public init(op: OpDesc, seed: UInt64, resolve: @escaping (String) -> Tensor) {
        self.op = op
        self.seed = seed
        self.resolve = resolve
    }

    public func input(_ slot: String, at index: Int = 0) throws -> Tensor {
        let names = op.input(slot).filter(isRealName)
        guard index < names.count else {
            throw FluidError.kernel(op: op.type, message: "input slot '\(slot)' has no variable at position \(index)")
        }
        return resolve(names[index])
    }

    public func inputIfPresent(_ slot: String) -> Tensor? {
        op.input(slot).first(where: isRealName).map(resolve)
    }

    public func inputs(_ slot: String) -> [Tensor] {
        op.input(slot).filter(isRealName).map(resolve)
    }

    public func output(_ slot: String, at index: Int = 0) throws -> Tensor {
        let names = op.output(slot).filter(isRealName)
        guard index < names.count else {
            throw FluidError.kernel(op: op.type, message: "output slot '\(slot)' has no variable at position \(index)")
        }
        return resolve(names[index])
    }

    /// The output tensor, or nil when no later op needs it (a gradient nobody asked for).
    public func outputIfPresent(_ slot: String) -> Tensor? {
        op.output(slot).first(where: isRealName).map(resolve)
    }

    /// An error naming this op.
    public func error(_ message: String) -> FluidError { .kernel(op: op.type, message: message) }
}
