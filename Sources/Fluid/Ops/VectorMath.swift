/// exp, tanh and sigmoid eight lanes at a time, for the kernels that would otherwise call
/// Foundation's scalar functions once per element (sigmoid, tanh, softmax).
///
/// exp: Cody-Waite reduction x = n ln2 + r (ln2 split in two so n ln2 is exact), a degree-6
/// polynomial for e^r on [-ln2/2, ln2/2] (the classic Cephes expf coefficients), and 2^n built
/// in the exponent bits; within 2 ulp of the true value, 0 below ln(FLT_TRUE_MIN)-ish (-87.34),
/// +inf above 88.72, NaN for NaN. tanh: an odd Taylor polynomial for |x| < 0.5, where
/// 1 - 2 / (e^2x + 1) would cancel, else that form. sigmoid: 1 / (1 + e^-x).
/// VectorMathTests checks all three against Foundation in Double over the whole float range.
enum VectorMath {
    typealias Lanes = SIMD8<Float>

    @inline(__always)
    static func exp(_ x: Lanes) -> Lanes {
        let lowest: Float = -87.336_54
        let highest: Float = 88.722_83
        // Comparisons and integer lanes only: Swift's generic float-to-int conversion and
        // rounding of SIMD vectors compile to per-lane calls.
        var t = x
        t.replace(with: lowest, where: x .< lowest)
        t.replace(with: highest, where: x .> highest)
        // n = round(t / ln2) by the 1.5 * 2^23 trick: adding it leaves n in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = t * 1.442_695_04 + magic
        let n = shifted - magic
        let k = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let r = t - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r * r + r + 1
        // 2^n: at n = 128 (x near 88.72) half of it twice, so the exponent field never overflows.
        let half = k &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Lanes.self)
        let scaleB = unsafeBitCast((k &- half &+ 127) &<< 23, to: Lanes.self)
        var result = er * scaleA * scaleB
        result.replace(with: 0, where: x .< lowest)
        result.replace(with: .infinity, where: x .> highest)
        result.replace(with: x, where: x .!= x)
        return result
    }

    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func tanh(_ x: Lanes) -> Lanes {
        let a = x.replacing(with: -x, where: x .< 0)  // |x|
        // |x| >= 0.5: 1 - 2 / (e^2|x| + 1), with the sign put back.
        let large = 1 - 2 / (exp(2 * a) + 1)
        // |x| < 0.5: x (1 - x^2/3 + 2x^4/15 - ...), terms to x^15 (the next is below 5e-9 x).
        let s = x * x
        var p = Lanes(repeating: 929_569.0 / 638_512_875.0)
        p = p * s - 21_844.0 / 6_081_075.0
        p = p * s + 1_382.0 / 155_925.0
        p = p * s - 62.0 / 2_835.0
        p = p * s + 17.0 / 315.0
        p = p * s - 2.0 / 15.0
        p = p * s + 1.0 / 3.0
        let small = x - x * s * p
        var result = large.replacing(with: -large, where: x .< 0)
        result.replace(with: small, where: a .< 0.5)
        result.replace(with: x, where: x .!= x)
        return result
    }
}

/// A function of eight lanes, applied over whole arrays by `VectorMath.map`.
protocol LaneFunction {
    static func apply(_ x: VectorMath.Lanes) -> VectorMath.Lanes
}

extension VectorMath {
    enum Exp: LaneFunction { @inline(__always) static func apply(_ x: Lanes) -> Lanes { exp(x) } }
    enum Sigmoid: LaneFunction { @inline(__always) static func apply(_ x: Lanes) -> Lanes { sigmoid(x) } }
    enum Tanh: LaneFunction { @inline(__always) static func apply(_ x: Lanes) -> Lanes { tanh(x) } }

    /// y[i] = F(x[i]) for i < n; the tail goes through the same lanes, padded, so every element
    /// gets the same rounding wherever it sits.
    @inline(__always)
    static func map<F: LaneFunction>(_: F.Type, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            UnsafeMutableRawPointer(y + i).storeBytes(
                of: F.apply(UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self)), as: Lanes.self)
            i += 8
        }
        if i < n {
            var tail = Lanes(repeating: 0)
            for j in 0..<(n - i) { tail[j] = x[i + j] }
            let out = F.apply(tail)
            for j in 0..<(n - i) { y[i + j] = out[j] }
        }
    }
}
