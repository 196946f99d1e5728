import Foundation
import Testing

@testable import Fluid

/// The vectorised exp, tanh and sigmoid against Foundation's, evaluated in Double, over the
/// float range that matters and its edges: within 2 ulp of the exact value (3 for sigmoid) (plus the smallest
/// normal float, below which flushing to zero is allowed).
@Suite struct VectorMathTests {
    /// Every 4999th float bit pattern between -120 and 120 (about 440,000 values), the
    /// edges of exp's range, signed zeros, tiny values, infinities.
    static let inputs: [Float] = {
        var values: [Float] = [
            0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 0.499_999_97, 88.72, 88.73, -87.33, -87.34,
            -103, 100, .infinity, -.infinity,
        ]
        for bits in stride(from: UInt32(0), to: Float(120).bitPattern, by: 4999) {
            let v = Float(bitPattern: bits)
            values += [v, -v]
        }
        return values
    }()

    static func check(
        _ name: String, ulps limit: Double = 2, _ f: (VectorMath.Lanes) -> VectorMath.Lanes, _ exact: (Double) -> Double
    ) {
        let xs = inputs
        var worst = (x: Float(0), got: Float(0), expected: 0.0, ulps: 0.0)
        for start in stride(from: 0, to: xs.count, by: 8) {
            var v = VectorMath.Lanes(repeating: 0)
            for j in 0..<min(8, xs.count - start) { v[j] = xs[start + j] }
            let y = f(v)
            for j in 0..<min(8, xs.count - start) {
                let x = xs[start + j]
                let e = exact(Double(x))
                let expected = Float(e)
                if expected.isInfinite || expected.isNaN {
                    if !(y[j] == expected || (y[j].isNaN && expected.isNaN)) { worst = (x, y[j], e, .infinity) }
                    continue
                }
                let error = abs(Double(y[j]) - e)
                let ulps = error <= Double(Float.leastNormalMagnitude) ? 0 : error / Double(expected.ulp)
                if ulps > worst.ulps { worst = (x, y[j], e, ulps) }
            }
        }
        #expect(worst.ulps <= limit, "\(name)(\(worst.x)) = \(worst.got), exactly \(worst.expected): \(worst.ulps) ulp")
    }

    @Test func exp() { Self.check("exp", VectorMath.exp, Foundation.exp) }
    @Test func tanh() { Self.check("tanh", VectorMath.tanh, Foundation.tanh) }
    /// sigmoid rounds three times (exp, the sum, the quotient).
    @Test func sigmoid() { Self.check("sigmoid", ulps: 3, VectorMath.sigmoid) { 1 / (1 + Foundation.exp(-$0)) } }

    @Test func nanStaysNaN() {
        let nan = VectorMath.Lanes(repeating: .nan)
        #expect(VectorMath.exp(nan)[0].isNaN && VectorMath.tanh(nan)[3].isNaN && VectorMath.sigmoid(nan)[7].isNaN)
    }

    /// map's tail lanes give the same values as full lanes.
    @Test func mapTreatsTheTailAlike() {
        let x: [Float] = (0..<19).map { Float($0) * 0.37 - 3 }
        var y = [Float](repeating: 0, count: 19)
        VectorMath.map(VectorMath.Tanh.self, x, &y, 19)
        for i in 0..<19 { #expect(y[i] == VectorMath.tanh(VectorMath.Lanes(repeating: x[i]))[0]) }
    }
}
