import Foundation

/// xoshiro256** (Blackman and Vigna): a small, fast generator with 256 bits of state and good
/// statistical quality, used by the random ops and dropout. A value type with inlined methods,
/// so fill loops call no closures.
struct Xoshiro256StarStar {
    private var s0, s1, s2, s3: UInt64

    /// State from four SplitMix64 outputs of `seed` (never all zero).
    init(seed: UInt64) {
        let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
        s0 = splitMix64(seed)
        s1 = splitMix64(seed &+ golden)
        s2 = splitMix64(seed &+ 2 &* golden)
        s3 = splitMix64(seed &+ 3 &* golden)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Two independent standard normals (Box-Muller); u1 lies in (0, 1] so its log is finite.
    @inline(__always)
    mutating func nextNormalPair() -> (Double, Double) {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let angle = 2 * Double.pi * nextUnit()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        return (r * Foundation.cos(angle), r * Foundation.sin(angle))
    }
}
