/// Checks shared by the math op families (matmul, elementwise, reduce).
enum MathOpSupport {
    /// Throws naming the op and slot unless `t` has `shape` (a gradient fed back with the wrong shape).
    @inline(__always)
    static func requireShape(_ op: String, _ slot: String, _ t: Tensor, _ shape: [Int]) throws {
        guard t.shape == shape else {
            throw FluidError.kernel(op: op, message: "\(slot) has shape \(t.shape), expected \(shape)")
        }
    }
}
