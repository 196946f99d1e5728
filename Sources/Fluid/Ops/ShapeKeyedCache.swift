/// What a kernel derives from its inputs' shapes (a broadcast layout, gemm sizes), kept until
/// those shapes change: each step pays one comparison of the shapes, nothing more.
///
/// Deriving it once when the kernel is bound relies on every input having its final shape
/// then; a fed input does not when the plan compiler binds kernels before copying the feeds
/// in, nor does a scope variable resized after binding. Looking it up per step holds in all cases.
final class ShapeKeyedCache<Value> {
    private var first: [Int] = []
    private var second: [Int] = []
    private var cached: Value?
    private let derive: ([Int], [Int]) throws -> Value

    /// `derive` maps the shapes of the two key tensors (the second [] when keyed on one) to the value.
    init(_ derive: @escaping ([Int], [Int]) throws -> Value) {
        self.derive = derive
    }

    /// The value for the current shapes of `a` and `b`.
    @inline(__always)
    func value(_ a: Tensor, _ b: Tensor) throws -> Value {
        if let cached, a.shape == first, b.shape == second { return cached }
        return try refresh(a.shape, b.shape)
    }

    /// The value for the current shape of `a`.
    @inline(__always)
    func value(_ a: Tensor) throws -> Value {
        if let cached, a.shape == first { return cached }
        return try refresh(a.shape, [])
    }

    private func refresh(_ a: [Int], _ b: [Int]) throws -> Value {
        let v = try derive(a, b)
        cached = v
        first = a
        second = b
        return v
    }
}
