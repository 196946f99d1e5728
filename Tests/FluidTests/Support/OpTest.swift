import Testing

@testable import Fluid

/// Runs one op in a one-op program, in the spirit of Paddle's OpTest: declare inputs and
/// attributes, compare an output with a reference written in the test, and compare the
/// op's grad ops with central finite differences.
///
/// Input variables are named `SLOT.I` (`X.0`), outputs `out.SLOT.I`.
struct OpTest {
    let type: String
    var inputs: [String: [Tensor]]
    var attributes: [String: Attribute]
    var outputs: [String: Int]

    init(_ type: String, inputs: [String: Tensor], attributes: [String: Attribute] = [:], outputs: [String]) {
        self.init(
            type, multiInputs: inputs.mapValues { [$0] }, attributes: attributes,
            outputs: Dictionary(uniqueKeysWithValues: outputs.map { ($0, 1) }))
    }

    init(_ type: String, multiInputs: [String: [Tensor]], attributes: [String: Attribute] = [:], outputs: [String: Int])
    {
        self.type = type
        self.inputs = multiInputs
        self.attributes = attributes
        self.outputs = outputs
    }

    static func inputName(_ slot: String, _ i: Int = 0) -> String { "\(slot).\(i)" }
    static func outputName(_ slot: String, _ i: Int = 0) -> String { "out.\(slot).\(i)" }

    var forwardOp: OpDesc {
        OpDesc(
            type: type,
            inputs: inputs.mapValues { $0.indices.map { _ in "" } }.reduce(into: [:]) { r, e in
                r[e.key] = (0..<inputs[e.key]!.count).map { Self.inputName(e.key, $0) }
            },
            outputs: outputs.reduce(into: [:]) { r, e in r[e.key] = (0..<e.value).map { Self.outputName(e.key, $0) } },
            attributes: attributes)
    }

    /// A program holding `ops`, with every input declared at its exact shape.
    func program(_ ops: [OpDesc], extraFeeds: [String: Tensor] = [:]) -> Program {
        let p = Program()
        for (slot, ts) in inputs {
            for (i, t) in ts.enumerated() {
                p.globalBlock.addVar(VarDesc(name: Self.inputName(slot, i), dtype: t.dtype, shape: t.shape))
            }
        }
        for (name, t) in extraFeeds { p.globalBlock.addVar(VarDesc(name: name, dtype: t.dtype, shape: t.shape)) }
        p.randomSeed = 1
        for op in ops { p.globalBlock.appendOp(op) }
        return p
    }

    var feeds: [String: Tensor] {
        var f: [String: Tensor] = [:]
        for (slot, ts) in inputs { for (i, t) in ts.enumerated() { f[Self.inputName(slot, i)] = t } }
        return f
    }

    /// Runs the op forward; returns the first output of each output slot.
    func run() throws -> [String: Tensor] {
        let names = outputs.keys.sorted()
        let fetched = try Executor().run(
            program([forwardOp]), scope: Scope(), feed: feeds,
            fetch: names.map { Self.outputName($0) })
        return Dictionary(uniqueKeysWithValues: zip(names, fetched))
    }

    /// The first output of `slot`.
    func output(_ slot: String) throws -> Tensor { try run()[slot]! }

    /// Compares output `slot` with `expected` elementwise within `tolerance` (absolute plus relative).
    func checkOutput(
        _ slot: String, shape: [Int], expected: [Float], tolerance: Float = 1e-5,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let out = try output(slot)
        #expect(out.shape == shape, "\(type) output \(slot) shape", sourceLocation: sourceLocation)
        guard out.shape == shape else { return }
        let got = try out.scalars(as: Float.self)
        var worst = (index: -1, diff: Float(0))
        for i in got.indices {
            let d = abs(got[i] - expected[i])
            if !(d <= tolerance * (1 + abs(expected[i]))) && (worst.index < 0 || d > worst.diff) { worst = (i, d) }
        }
        #expect(
            worst.index < 0,
            "\(type) output \(slot): element \(worst.index) is \(worst.index >= 0 ? got[worst.index] : 0), expected \(worst.index >= 0 ? expected[worst.index] : 0)",
            sourceLocation: sourceLocation)
    }

    /// Checks the gradients of the float inputs in `wrt` of the scalar
    /// loss = sum over `of` of (random weights * output), analytic (the op's grad ops)
    /// against central differences. Returns the worst relative error found.
    @discardableResult
    func checkGradient(
        _ wrt: [String], of outputSlots: [String], delta: Float = 5e-3, maxRelativeError: Double = 5e-3,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Double {
        let forward = try run()
        var weights: [String: Tensor] = [:]
        var rng = SeededGenerator(seed: 7)
        for slot in outputSlots {
            let o = forward[slot]!
            try weights[slot] = Tensor(
                shape: o.shape,
                scalars: (0..<o.count).map { _ in
                    Float.random(in: 0.5...1.5, using: &rng) * (Bool.random(using: &rng) ? 1 : -1)
                })
        }
        // Analytic: forward op, then its grad ops fed with d loss / d output = weights.
        let definition = try OpRegistry.definition(type)
        let rule = try #require(definition.gradient, "\(type) has no gradient rule", sourceLocation: sourceLocation)
        let wrtNames = Set(wrt.flatMap { slot in (0..<inputs[slot]!.count).map { Self.inputName(slot, $0) } })
        let gradOps = rule(GradientContext(op: forwardOp, needsGradient: { wrtNames.contains($0) }))
        var gradFeeds: [String: Tensor] = [:]
        for slot in outputSlots { gradFeeds[gradName(Self.outputName(slot))] = weights[slot]! }
        for slot in outputs.keys where !outputSlots.contains(slot) {
            let o = forward[slot]!
            if o.dtype == .float32 {
                gradFeeds[gradName(Self.outputName(slot))] = try Tensor(dtype: .float32, shape: o.shape)
            }
        }
        let analyticProgram = program([forwardOp] + gradOps, extraFeeds: gradFeeds)
        let wrtList = wrtNames.sorted()
        // Run twice over the same scope: a grad kernel that accumulates into its output
        // instead of overwriting it shows up in the second run.
        let analyticExecutor = Executor()
        let analyticScope = Scope()
        let allFeeds = feeds.merging(gradFeeds) { a, _ in a }
        try analyticExecutor.run(analyticProgram, scope: analyticScope, feed: allFeeds)
        let analytic = try analyticExecutor.run(
            analyticProgram, scope: analyticScope, feed: allFeeds, fetch: wrtList.map(gradName))
        // Numeric.
        let exe = Executor()
        let scope = Scope()
        let forwardProgram = program([forwardOp])
        let fetch = outputSlots.map { Self.outputName($0) }
        func loss(_ feeds: [String: Tensor]) throws -> Double {
            let outs = try exe.run(forwardProgram, scope: scope, feed: feeds, fetch: fetch)
            var s = 0.0
            for (slot, o) in zip(outputSlots, outs) {
                let w = weights[slot]!.floats
                let p = o.floats
                for i in 0..<o.count { s += Double(w[i]) * Double(p[i]) }
            }
            return s
        }
        var worst = 0.0
        for (k, name) in wrtList.enumerated() {
            var f = feeds
            let x = f[name]!.clone()
            f[name] = x
            let a = analytic[k]
            #expect(
                a.shape == x.shape, "\(type): \(gradName(name)) shape \(a.shape), input shape \(x.shape)",
                sourceLocation: sourceLocation)
            guard a.shape == x.shape else { continue }
            for i in 0..<x.count {
                let original = x.floats[i]
                x.floats[i] = original + delta
                let plus = try loss(f)
                x.floats[i] = original - delta
                let minus = try loss(f)
                x.floats[i] = original
                let numeric = (plus - minus) / (2 * Double(delta))
                let got = Double(a.floats[i])
                let err = abs(got - numeric) / max(abs(numeric), abs(got), 1e-3)
                if err > worst { worst = err }
                if err > maxRelativeError {
                    Issue.record(
                        "\(type): d loss / d \(name)[\(i)] analytic \(got), numeric \(numeric), relative error \(err)",
                        sourceLocation: sourceLocation)
                    return err
                }
            }
        }
        return worst
    }
}

extension Tensor {
    /// Uniform random float32 values in `range`, reproducible from `seed`.
    static func random(_ shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64 = 1) -> Tensor {
        var rng = SeededGenerator(bits: seed)
        let n = shape.reduce(1, *)
        return literal(shape, (0..<n).map { _ in Float.random(in: range, using: &rng) })
    }

    /// A tensor of constants a test writes out (suite properties cannot throw); the count must fit.
    static func literal<T: TensorElement>(_ shape: [Int], _ scalars: [T]) -> Tensor {
        let t = Tensor(uncheckedDType: T.dataType, shape: shape)
        precondition(t.count == scalars.count, "literal tensor \(shape) needs \(t.count) scalars")
        scalars.withUnsafeBytes { t.rawPointer.copyMemory(from: $0.baseAddress!, byteCount: t.byteCount) }
        return t
    }
}
