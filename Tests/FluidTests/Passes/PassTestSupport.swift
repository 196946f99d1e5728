import Testing

@testable import Fluid

/// A main program, its startup program and a scope holding the parameters, with every
/// parameter randomised (batch_norm variances positive) so that passes rewriting them are
/// really checked, not just on zero biases and unit statistics.
struct PassFixture {
    let main: Program
    let startup: Program
    let scope: Scope

    /// Builds with `body`, runs the startup program and randomises the parameters.
    init(seed: UInt64 = 1, _ body: (ProgramBuilder) throws -> Void) throws {
        main = Program()
        startup = Program()
        main.randomSeed = 3
        startup.randomSeed = 3
        try body(ProgramBuilder(main: main, startup: startup))
        scope = Scope()
        try Executor().run(startup, scope: scope)
        let variances = Set(main.globalBlock.ops.filter { $0.type == "batch_norm" }.flatMap { $0.input("Variance") })
        for (i, name) in scope.localNames.enumerated() {
            guard let t = scope[name], t.dtype == .float32 else { continue }
            let range: ClosedRange<Float> = variances.contains(name) ? 0.5...2 : -1...1
            scope.set(name, Tensor.random(t.shape, in: range, seed: seed &+ UInt64(i) &* 7919))
        }
    }

    /// Runs `program` over a fresh child of the fixture's scope (the parameters, not another
    /// run's temporaries) and returns the fetched tensors.
    func run(_ program: Program, feed: [String: Tensor], fetch: [String]) throws -> [Tensor] {
        try Executor().run(program, scope: scope.makeChild(), feed: feed, fetch: fetch)
    }
}

/// Expects `got` to match `expected` elementwise within `relative` plus a small absolute floor.
func expectClose(
    _ got: [Tensor], _ expected: [Tensor], relative: Float = 1e-5, absolute: Float = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(got.count == expected.count, sourceLocation: sourceLocation)
    for (g, e) in zip(got, expected) {
        #expect(g.shape == e.shape, "shape \(g.shape), expected \(e.shape)", sourceLocation: sourceLocation)
        guard g.shape == e.shape else { continue }
        let a = g.uncheckedScalars(as: Float.self)
        let b = e.uncheckedScalars(as: Float.self)
        let bad = a.indices.first { !(abs(a[$0] - b[$0]) <= relative * abs(b[$0]) + absolute) }
        #expect(
            bad == nil, "element \(bad ?? 0): \(bad.map { a[$0] } ?? 0), expected \(bad.map { b[$0] } ?? 0)",
            sourceLocation: sourceLocation)
    }
}

/// The op types of block 0, in order.
func opTypes(_ program: Program) -> [String] { program.globalBlock.ops.map(\.type) }

/// The error `body` throws, described, or nil.
func thrownMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
