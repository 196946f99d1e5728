/// Checks shared by the math op families (matmul, elementwise, reduce).
enum MathOpSupport {
    /// Throws naming the op and slot unless every meta is float32, the only dtype these kernels run.
    static func requireFloat32(_ ctx: ShapeContext, _ metas: [(slot: String, meta: TensorMeta)]) throws {
        for (slot, m) in metas where m.dtype != .float32 {
            throw ctx.error(slot, "supports float32 only, but \(slot) is \(m)")
        }
    }

    /// Throws naming the op and slot unless `t` has `shape` (a gradient fed back with the wrong shape).
    @inline(__always)
    static func requireShape(_ op: String, _ slot: String, _ t: Tensor, _ shape: [Int]) throws {
        guard t.shape == shape else {
            throw FluidError.kernel(op: op, message: "\(slot) has shape \(t.shape), expected \(shape)")
        }
    }
}
