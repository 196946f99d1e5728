/// A float function of two operands, applied per element. Loops are generic over it, so
/// each use is specialized and inlined: no call per element.
protocol BinaryFloatFunction: Sendable {
    static func apply(_ a: Float, _ b: Float) -> Float
}

/// One term of an elementwise gradient at an output element, from dOut, Out, X and Y there.
protocol ElementwiseGradientTerm: Sendable {
    static func value(dout: Float, out: Float, x: Float, y: Float) -> Float
}

extension BroadcastLayout {
    /// out[i] = F(A at i, B at i) for every element i of the full space (out is contiguous).
    func map<F: BinaryFloatFunction>(
        _ f: F.Type, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>
    ) {
        guard count > 0 else { return }
        let chunks = parallelChunks
        let total = count
        parallelFor(chunks, work: total) { c in
            mapRange(f, a, b, out, from: total * c / chunks, to: total * (c + 1) / chunks)
        }
    }

    /// Elementwise gradient into A (`intoA`) or B: the result, shaped like that operand, holds at
    /// each element the sum of G over the full-space elements that map to it. dOut and Out are
    /// contiguous over the full space; X and Y are A and B.
    func accumulate<G: ElementwiseGradientTerm>(
        _ g: G.Type, intoA: Bool, dout: UnsafePointer<Float>,
        out: UnsafePointer<Float>, x: UnsafePointer<Float>,
        y: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>
    ) {
        let targetCount = intoA ? aCount : bCount
        guard count > 0 else {
            result.update(repeating: 0, count: targetCount)
            return
        }
        if targetCount == count {
            // Nothing is reduced: every result element is written once, so chunks cannot race.
            let chunks = parallelChunks
            let total = count
            parallelFor(chunks, work: total) { c in
                gradRange(
                    g, intoA: intoA, overwrite: true, dout, out, x, y, result,
                    from: total * c / chunks, to: total * (c + 1) / chunks)
            }
        } else {
            result.update(repeating: 0, count: targetCount)
            gradRange(g, intoA: intoA, overwrite: false, dout, out, x, y, result, from: 0, to: count)
        }
    }

    // Both walks below cut [start, end) into row segments; within one the operands' strides are
    // constant (0 or 1), passed as literals so the inlined loop is specialized for them.

    private func mapRange<F: BinaryFloatFunction>(
        _ f: F.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, from start: Int, to end: Int
    ) {
        var i = start
        while i < end {
            let row = i / inner
            let j = i - row * inner
            let n = min(inner - j, end - i)
            let (ao, bo) = offsets(ofRow: row)
            let pa = a + ao + j * aInner
            let pb = b + bo + j * bInner
            let po = out + i
            switch (aInner, bInner) {
            case (1, 1): Self.mapRun(f, pa, 1, pb, 1, po, n)
            case (1, _): Self.mapRun(f, pa, 1, pb, 0, po, n)
            case (_, 1): Self.mapRun(f, pa, 0, pb, 1, po, n)
            default: Self.mapRun(f, pa, 0, pb, 0, po, n)
            }
            i += n
        }
    }

    @inline(__always)
    private static func mapRun<F: BinaryFloatFunction>(
        _ f: F.Type, _ a: UnsafePointer<Float>, _ sa: Int,
        _ b: UnsafePointer<Float>, _ sb: Int,
        _ out: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        for t in 0..<n { out[t] = F.apply(a[t * sa], b[t * sb]) }
    }

    private func gradRange<G: ElementwiseGradientTerm>(
        _ g: G.Type, intoA: Bool, overwrite: Bool,
        _ dout: UnsafePointer<Float>, _ out: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
        _ result: UnsafeMutablePointer<Float>, from start: Int, to end: Int
    ) {
        let targetInner = intoA ? aInner : bInner
        // 0: add the segment's sum into one element; 1: write each; 2: add into each;
        // 3: write the segment's sum (a one-element space, where nothing is reduced).
        let mode = targetInner == 0 ? (overwrite ? 3 : 0) : (overwrite ? 1 : 2)
        var i = start
        while i < end {
            let row = i / inner
            let j = i - row * inner
            let n = min(inner - j, end - i)
            let (ao, bo) = offsets(ofRow: row)
            let px = x + ao + j * aInner
            let py = y + bo + j * bInner
            let pr = result + (intoA ? ao : bo) + j * targetInner
            switch (aInner, bInner) {
            case (1, 1): Self.gradRun(g, mode, dout + i, out + i, px, 1, py, 1, pr, n)
            case (1, _): Self.gradRun(g, mode, dout + i, out + i, px, 1, py, 0, pr, n)
            case (_, 1): Self.gradRun(g, mode, dout + i, out + i, px, 0, py, 1, pr, n)
            default: Self.gradRun(g, mode, dout + i, out + i, px, 0, py, 0, pr, n)
            }
            i += n
        }
    }

    @inline(__always)
    private static func gradRun<G: ElementwiseGradientTerm>(
        _ g: G.Type, _ mode: Int,
        _ d: UnsafePointer<Float>, _ o: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>, _ sx: Int,
        _ y: UnsafePointer<Float>, _ sy: Int,
        _ r: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        switch mode {
        case 0, 3:
            // Eight partial sums: float adds may not be reordered by the compiler, so one running
            // sum would wait on each add; eight independent ones vectorize.
            var s = SIMD8<Float>(repeating: 0)
            var t = 0
            while t + 8 <= n {
                for l in 0..<8 {
                    s[l] += G.value(dout: d[t + l], out: o[t + l], x: x[(t + l) * sx], y: y[(t + l) * sy])
                }
                t += 8
            }
            var tail: Float = 0
            while t < n {
                tail += G.value(dout: d[t], out: o[t], x: x[t * sx], y: y[t * sy])
                t += 1
            }
            r[0] = (mode == 3 ? 0 : r[0]) + s.sum() + tail
        case 1:
            for t in 0..<n { r[t] = G.value(dout: d[t], out: o[t], x: x[t * sx], y: y[t * sy]) }
        default:
            for t in 0..<n { r[t] += G.value(dout: d[t], out: o[t], x: x[t * sx], y: y[t * sy]) }
        }
    }
}

/// dOut itself: the gradient of a sum, and what a sum reduction adds up.
enum PassGradient: ElementwiseGradientTerm {
    @inline(__always) static func value(dout: Float, out: Float, x: Float, y: Float) -> Float { dout }
}
