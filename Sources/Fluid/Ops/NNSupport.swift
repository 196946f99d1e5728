import Foundation

/// Small helpers shared by the softmax, batch_norm, dropout and loss op families.
enum NNSupport {
    /// A tensor viewed as [outer, size, inner] around one axis: element (o, k, i) sits at
    /// (o * size + k) * inner + i.
    struct AxisView: Equatable {
        var outer: Int
        var size: Int
        var inner: Int

        init(outer: Int, size: Int, inner: Int) {
            self.outer = outer
            self.size = size
            self.inner = inner
        }

        /// `shape` around `axis` (already normalized); a rank-0 shape is one element.
        init(_ shape: [Int], axis: Int) {
            guard !shape.isEmpty else {
                self.init(outer: 1, size: 1, inner: 1)
                return
            }
            self.init(
                outer: shape[..<axis].reduce(1, *), size: shape[axis],
                inner: shape[(axis + 1)...].reduce(1, *))
        }

        /// `shape` viewed around `axis`, negative counting from the end (shape inference has
        /// already rejected an axis outside the rank; such an axis falls back to the last one).
        init(_ shape: [Int], signedAxis axis: Int) {
            self.init(shape, axis: NNSupport.normalizedAxis(axis, rank: shape.count) ?? max(shape.count - 1, 0))
        }

        /// Count of (outer, inner) positions, i.e. of vectors along the axis.
        var rows: Int { outer * inner }
    }

    /// `axis` counted from the end when negative; nil when outside the rank (a rank-0 tensor
    /// counts as rank 1).
    static func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
        let r = max(rank, 1)
        let a = axis < 0 ? axis + r : axis
        return (0..<r).contains(a) ? a : nil
    }

    /// Whether a label of shape `label` fits scores of shape `x` with classes along `axis`:
    /// soft labels have x's shape; hard labels x's shape with the class dimension 1, or removed.
    static func labelFits(_ label: [Int], _ x: [Int], axis: Int, soft: Bool) -> Bool {
        if soft { return shapesAgree(label, x) }
        guard !x.isEmpty else { return knownProduct(label) <= 1 }
        var single = x
        single[axis] = 1
        var dropped = x
        dropped.remove(at: axis)
        return shapesAgree(label, single) || shapesAgree(label, dropped)
    }

    /// `shape` with the dimension at `axis` set to 1 (the shape of a per-row loss).
    static func collapsing(_ shape: [Int], axis: Int) -> [Int] {
        guard !shape.isEmpty else { return [1] }
        var s = shape
        s[axis] = 1
        return s
    }

    /// The error for a hard label outside [0, classes) that is not the ignore index.
    static func labelOutOfRange(_ ctx: KernelContext, row: Int, label: Int64, classes: Int, ignoreIndex: Int64)
        -> FluidError
    {
        ctx.error("Label \(label) at row \(row) is outside [0, \(classes)) and is not ignore_index \(ignoreIndex)")
    }

    /// Paddle's TolerableValue: -log(x) with an infinite result replaced by ±1e20, so a
    /// probability of exactly 0 gives a large finite loss instead of Inf.
    @inline(__always)
    static func tolerableNegLog(_ x: Float) -> Float {
        tolerable(-Foundation.log(x))
    }

    @inline(__always)
    static func tolerable(_ v: Float) -> Float {
        v == .infinity ? 1e20 : (v == -.infinity ? -1e20 : v)
    }

    /// Splits `count` rows into chunks for `parallelFor` and runs `body(range)` on each.
    /// `workPerRow` is a rough count of element operations per row.
    @inline(__always)
    static func forEachChunk(_ count: Int, workPerRow: Int, _ body: (Range<Int>) -> Void) {
        let work = count * max(workPerRow, 1)
        let chunks = work >= 1 << 16 ? min(count, coreCount * 4) : 1
        if chunks <= 1 {
            body(0..<count)
            return
        }
        parallelFor(chunks, work: work) { c in
            body((c * count / chunks)..<((c + 1) * count / chunks))
        }
    }
}
