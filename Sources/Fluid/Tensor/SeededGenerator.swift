import Foundation

/// The one deterministic random number generator of SwiftFluid: xoshiro256** (Blackman and
/// Vigna), its state seeded through SplitMix64. The same seed gives the same numbers on every
/// machine and Swift version. The random ops and dropout fill tensors with it, and the readers
/// shuffle with it. It is a value type with inlinable methods, so fill loops make no calls.
///
/// ```swift
/// var generator = SeededGenerator(seed: 42)
/// let die = generator.next(below: 6) + 1
/// let u = generator.nextUnit()  // in [0, 1)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator for `seed` (SwiftFluid's one seed type, as in `Program.randomSeed` and the
    /// readers' shuffles); different `stream`s of one seed give unrelated sequences.
    @inlinable
    public init(seed: Int, stream: Int = 0) {
        self.init(bits: UInt64(bitPattern: Int64(seed)), stream: UInt64(bitPattern: Int64(stream)))
    }

    /// A generator for 64 seed bits (the kernels' seeds, derived from a program's).
    @inlinable
    public init(bits seed: UInt64, stream: UInt64 = 0) {
        let base = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
        s0 = Self.splitMix64(base)
        s1 = Self.splitMix64(base &+ golden)
        s2 = Self.splitMix64(base &+ 2 &* golden)
        s3 = Self.splitMix64(base &+ 3 &* golden)
    }

    /// One step of SplitMix64: a well-mixed 64-bit value from `x` (never all zero across the
    /// four consecutive inputs the initializer uses).
    @inlinable
    public static func splitMix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable @inline(__always)
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Two independent standard normals (Box-Muller); u1 lies in (0, 1] so its log is finite.
    @inlinable @inline(__always)
    public mutating func nextNormalPair() -> (Double, Double) {
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let angle = 2 * Double.pi * nextUnit()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        return (r * Foundation.cos(angle), r * Foundation.sin(angle))
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-and-reject method, no modulo bias).
    @inlinable
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "next(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place (Fisher-Yates), the same way for the same generator state.
    @inlinable
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }
}
