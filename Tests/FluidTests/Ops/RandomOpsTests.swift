import Foundation
import Testing

@testable import Fluid

@Suite struct RandomOpsTests {
    static let n = 100_000

    private func generate(_ type: String, _ attributes: [String: Attribute]) throws -> [Float] {
        let out = try OpTest(type, inputs: [:], attributes: attributes, outputs: ["Out"]).output("Out")
        return try out.scalars(as: Float.self)
    }

    private func moments(_ v: [Float]) -> (mean: Double, std: Double) {
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }

    // Tolerances are 5 standard errors of the statistic for n samples.
    @Test func uniform() throws {
        let (lo, hi): (Float, Float) = (-2, 3)
        let v = try generate(
            "uniform_random", ["shape": .longs([200, 500]), "min": .float(lo), "max": .float(hi), "seed": .int(5)])
        #expect(v.count == Self.n)
        let (mean, std) = moments(v)
        let sigma = Double(hi - lo) / 12.0.squareRoot()
        #expect(abs(mean - 0.5) < 5 * sigma / Double(Self.n).squareRoot(), "mean \(mean)")
        // The variance of a uniform sample's variance is (1/n)(mu4 - sigma^4) with mu4 = 9/5 sigma^4.
        let stdError = sigma * (0.8 / Double(Self.n)).squareRoot() / 2
        #expect(abs(std - sigma) < 5 * stdError, "std \(std), expected \(sigma)")
        let (least, most) = (v.min()!, v.max()!)
        #expect(least >= lo && most <= hi)
        #expect(least < lo + 1e-3 && most > hi - 1e-3, "range [\(least), \(most)]")
        // Each tenth of the range holds a tenth of the values.
        var bins = [Int](repeating: 0, count: 10)
        for x in v { bins[min(Int((x - lo) / (hi - lo) * 10), 9)] += 1 }
        let binError = (0.1 * 0.9 * Double(Self.n)).squareRoot()
        #expect(bins.allSatisfy { abs(Double($0) - 0.1 * Double(Self.n)) < 5 * binError }, "\(bins)")
    }

    @Test func uniformDiagonal() throws {
        let v = try generate(
            "uniform_random",
            [
                "shape": .longs([3, 3]), "min": .float(-0.1), "max": .float(0.1),
                "diag_num": .int(3), "diag_step": .int(3), "diag_val": .float(1),
            ])
        for i in 0..<9 { #expect(i % 4 == 0 ? v[i] == 1 : abs(v[i]) <= 0.1) }
    }

    @Test func gaussian() throws {
        let (mu, sigma) = (1.0, 2.0)
        let v = try generate(
            "gaussian_random",
            ["shape": .longs([Int64(Self.n)]), "mean": .float(Float(mu)), "std": .float(Float(sigma))])
        #expect(v.count == Self.n)
        let (mean, std) = moments(v)
        let n = Double(Self.n)
        #expect(abs(mean - mu) < 5 * sigma / n.squareRoot(), "mean \(mean)")
        #expect(abs(std - sigma) < 5 * sigma / (2 * n).squareRoot(), "std \(std)")
        // 68.27% within one std, 95.45% within two.
        for (k, p) in [(1.0, 0.682_689), (2.0, 0.954_500)] {
            let inside = Double(v.filter { abs(Double($0) - mu) <= k * sigma }.count) / n
            #expect(abs(inside - p) < 5 * (p * (1 - p) / n).squareRoot(), "within \(k) std: \(inside)")
        }
    }

    @Test func truncatedGaussian() throws {
        let (mu, sigma) = (0.5, 0.1)
        let v = try generate(
            "truncated_gaussian_random",
            ["shape": .ints([400, 250]), "mean": .float(Float(mu)), "std": .float(Float(sigma))])
        #expect(v.count == Self.n)
        #expect(v.allSatisfy { abs(Double($0) - mu) <= 2 * sigma + 1e-6 })
        let (mean, std) = moments(v)
        // A standard normal truncated to [-2, 2] has variance 1 - 4 phi(2) / (Phi(2) - Phi(-2)).
        let phi2 = exp(-2.0) / (2 * Double.pi).squareRoot()
        let truncatedStd = sigma * (1 - 4 * phi2 / 0.954_500).squareRoot()
        let n = Double(Self.n)
        #expect(abs(mean - mu) < 5 * truncatedStd / n.squareRoot(), "mean \(mean)")
        #expect(abs(std - truncatedStd) < 0.01 * truncatedStd, "std \(std), expected \(truncatedStd)")
        // Values near the bounds are drawn too, not clipped onto them.
        #expect(v.contains { Double($0) > mu + 1.9 * sigma } && v.contains { Double($0) < mu - 1.9 * sigma })
        #expect(v.filter { abs(Double($0) - mu) >= 2 * sigma - 1e-7 }.count < 5)
    }

    @Test(arguments: ["uniform_random", "gaussian_random", "truncated_gaussian_random"])
    func sameSeedSameValues(type: String) throws {
        let shape: Attribute = type == "truncated_gaussian_random" ? .ints([64, 33]) : .longs([64, 33])
        let first = try generate(type, ["shape": shape, "seed": .int(17)])
        #expect(try generate(type, ["shape": shape, "seed": .int(17)]) == first)
        #expect(try generate(type, ["shape": shape, "seed": .int(18)]) != first)
        // The program's random_seed (OpTest sets 1) seeds ops whose own seed is 0.
        #expect(try generate(type, ["shape": shape]) == generate(type, ["shape": shape]))
        #expect(Set(first).count > first.count / 2)
    }

    @Test func rerunningAPlanGivesTheSameValues() throws {
        let startup = Program()
        startup.randomSeed = 90
        startup.globalBlock.appendOp(
            OpDesc(type: "gaussian_random", outputs: ["Out": ["w"]], attributes: ["shape": .longs([10, 10])]))
        startup.globalBlock.appendOp(
            OpDesc(type: "uniform_random", outputs: ["Out": ["b"]], attributes: ["shape": .longs([10])]))
        let exe = Executor()
        let scope = Scope()
        let first = try exe.run(startup, scope: scope, fetch: ["w", "b"])
        let second = try exe.run(startup, scope: scope, fetch: ["w", "b"])
        #expect(exe.plansCompiled == 1)
        #expect(try first[0].scalars(as: Float.self) == second[0].scalars(as: Float.self))
        #expect(try first[1].scalars(as: Float.self) == second[1].scalars(as: Float.self))
        let fresh = try Executor().run(startup, scope: Scope(), fetch: ["w"])
        #expect(try fresh[0].scalars(as: Float.self) == first[0].scalars(as: Float.self))
    }

    @Test func float64Output() throws {
        let out = try OpTest(
            "uniform_random", inputs: [:],
            attributes: [
                "shape": .longs([1000]), "dtype": .int(DataType.float64.rawValue), "min": .float(2), "max": .float(4),
            ], outputs: ["Out"]
        ).output("Out")
        let v = try out.scalars(as: Double.self)
        #expect(out.dtype == .float64 && v.allSatisfy { $0 >= 2 && $0 <= 4 })
        let mean: Double = v.reduce(0, +) / 1000
        let tolerance: Double = 5 * (2 / 12.0.squareRoot()) / 1000.0.squareRoot()
        #expect(abs(mean - 3) < tolerance)
    }

    @Test func rejectsUnknownShape() {
        let op = OpDesc(type: "gaussian_random", outputs: ["Out": ["w"]], attributes: ["shape": .longs([-1, 4])])
        var message = ""
        do { _ = try OpRegistry.inferShape(of: op, lookup: { _ in nil }) } catch { message = "\(error)" }
        #expect(message.contains("gaussian_random") && message.contains("[-1, 4]"), "\(message)")
    }
}
