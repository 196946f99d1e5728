/// What a kernel derives from its inputs' shapes (a broadcast layout, gemm sizes), kept until
/// those shapes change: each step pays one comparison of the shapes, nothing more.
///
/// A plan always runs with the shapes it was compiled for, so the value is derived once in
/// practice; keying it on the shapes keeps each kernel correct on its own, whoever resizes
/// its tensors.
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
