/// Shapes of an elementwise op's X, Y and Out, X and Y padded with 1s to Out's rank.
struct BroadcastShapes: Equatable {
    var x: [Int]
    var y: [Int]
    var out: [Int]
}

/// Paddle's elementwise broadcasting rule.
///
/// The operand of lower rank (usually Y) is aligned with the dims of the other starting at
/// `axis` (-1: right-aligned, as numpy does); trailing size-1 dims of it are dropped when they
/// would run past the end. The padded dims then broadcast numpy-style: equal, or one of them 1.
/// At build time an unknown size (-1) agrees with anything.
enum PaddleBroadcast {
    static func shapes(op: String, x: [Int], y: [Int], axis: Int) throws -> BroadcastShapes {
        if x == y { return BroadcastShapes(x: x, y: y, out: x) }
        func failure(_ why: String) -> FluidError {
            .shapeMismatch(op: op, slot: "Y", message: "Y \(y) cannot be broadcast with X \(x) (axis \(axis)): \(why)")
        }
        let xIsLarger = x.count >= y.count
        let large = xIsLarger ? x : y
        var small = xIsLarger ? y : x
        guard axis >= -1 else { throw failure("axis must be -1 or at least 0") }
        let start = axis == -1 ? large.count - small.count : axis
        while start + small.count > large.count, small.last == 1 { small.removeLast() }
        guard start + small.count <= large.count else {
            throw failure("a rank-\(small.count) operand starting at dimension \(start) runs past rank \(large.count)")
        }
        let padded =
            [Int](repeating: 1, count: start) + small
            + [Int](repeating: 1, count: large.count - start - small.count)
        let px = xIsLarger ? large : padded
        let py = xIsLarger ? padded : large
        var out = [Int](repeating: 1, count: large.count)
        for i in out.indices {
            let a = px[i]
            let b = py[i]
            if a == b || b == 1 {
                out[i] = a
            } else if a == 1 {
                out[i] = b
            } else if a < 0 {
                out[i] = b
            } else if b < 0 {
                out[i] = a
            } else {
                throw failure("dimension \(i) of the aligned shapes is \(a) in X but \(b) in Y")
            }
        }
        return BroadcastShapes(x: px, y: py, out: out)
    }
}

/// How two operands A and B map onto a full index space (an op's output, or a reduction's
/// input) when each dim of A and B equals the full one or is 1 (broadcast).
///
/// Dims of size 1 are dropped and neighbours that A and B treat alike are merged, so a bias
/// add [N, C, H, W] + [C] becomes [N, C, H*W] with B strides (0, 1, 0), and equal shapes
/// become a single run. Kernels walk the space row by row (the last merged dim) with the
/// operands' inner strides known to be 0 or 1.
struct BroadcastLayout: Sendable {
    /// Merged dims, outermost first; empty when the space holds one element.
    let dims: [Int]
    let aStrides: [Int]
    let bStrides: [Int]
    /// Elements in the full space, in A and in B.
    let count: Int
    let aCount: Int
    let bCount: Int
    /// Length of a row (the last merged dim) and the operands' strides along it (0 or 1).
    let inner: Int
    let aInner: Int
    let bInner: Int

    init(full: [Int], a: [Int], b: [Int]) {
        var merged: [Int] = []
        var hasA: [Bool] = []
        var hasB: [Bool] = []
        for i in full.indices where full[i] != 1 {
            let inA = a[i] != 1
            let inB = b[i] != 1
            if let last = merged.indices.last, hasA[last] == inA, hasB[last] == inB {
                merged[last] *= full[i]
            } else {
                merged.append(full[i])
                hasA.append(inA)
                hasB.append(inB)
            }
        }
        func strides(_ has: [Bool]) -> (strides: [Int], count: Int) {
            var s = [Int](repeating: 0, count: merged.count)
            var size = 1
            for k in merged.indices.reversed() where has[k] {
                s[k] = size
                size *= merged[k]
            }
            return (s, size)
        }
        let sa = strides(hasA)
        let sb = strides(hasB)
        dims = merged
        aStrides = sa.strides
        bStrides = sb.strides
        aCount = sa.count
        bCount = sb.count
        count = merged.reduce(1, *)
        inner = merged.last ?? 1
        aInner = sa.strides.last ?? 0
        bInner = sb.strides.last ?? 0
    }

    /// Offsets in A and B of the first element of `row`.
    @inline(__always)
    func offsets(ofRow row: Int) -> (a: Int, b: Int) {
        var rest = row
        var a = 0
        var b = 0
        var k = dims.count - 2
        while k >= 0 {
            let d = dims[k]
            let q = rest / d
            let i = rest - q * d
            a += i * aStrides[k]
            b += i * bStrides[k]
            rest = q
            k -= 1
        }
        return (a, b)
    }

    /// Pieces to split `count` elements into for `parallelFor`: one per core when large.
    var parallelChunks: Int { max(1, min(coreCount, count >> 15)) }
}
