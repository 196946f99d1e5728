import Testing

@testable import Fluid

/// merged_adam against one adam op per parameter (itself checked against Paddle's trajectory)
/// and against the formula written out for one element.
@Suite struct MergedOptimizerOpsTests {
    /// Three parameters: small, several chunks long with a short last chunk, and a tail of lanes.
    static let sizes = [5, 2 * MultiTensorUpdate<AdamStep>.chunkSize + 13, 7]

    /// A program with one adam op per parameter, or one merged_adam, over variables named alike.
    static func program(merged: Bool) -> Program {
        let p = Program()
        let block = p.globalBlock
        var ops: [OpDesc] = []
        for (i, n) in sizes.enumerated() {
            for name in ["p", "g", "m1", "m2"] {
                block.addVar(VarDesc(name: "\(name)\(i)", dtype: .float32, shape: [n]))
            }
            for name in ["b1p", "b2p"] { block.addVar(VarDesc(name: "\(name)\(i)", dtype: .float32, shape: [1])) }
            ops.append(
                OpDesc(
                    type: "adam",
                    inputs: [
                        "Param": ["p\(i)"], "Grad": ["g\(i)"], "LearningRate": ["lr"], "Moment1": ["m1\(i)"],
                        "Moment2": ["m2\(i)"], "Beta1Pow": ["b1p\(i)"], "Beta2Pow": ["b2p\(i)"],
                    ],
                    outputs: [
                        "ParamOut": ["p\(i)"], "Moment1Out": ["m1\(i)"], "Moment2Out": ["m2\(i)"],
                        "Beta1PowOut": ["b1p\(i)"], "Beta2PowOut": ["b2p\(i)"],
                    ],
                    attributes: ["beta1": .float(0.8), "beta2": .float(0.99), "epsilon": .float(1e-6)]))
        }
        block.addVar(VarDesc(name: "lr", dtype: .float32, shape: [1]))
        for op in ops { block.appendOp(op) }
        if merged { _ = try? MergeOptimizerOps().apply(to: p, scope: nil) }
        return p
    }

    static func scope() throws -> Scope {
        let scope = Scope()
        for (i, n) in sizes.enumerated() {
            scope.set("p\(i)", Tensor.random([n], seed: UInt64(10 + i)))
            scope.set("g\(i)", Tensor.random([n], seed: UInt64(20 + i)))
            scope.set("m1\(i)", Tensor.random([n], in: -0.1...0.1, seed: UInt64(30 + i)))
            scope.set("m2\(i)", Tensor.random([n], in: 0...0.1, seed: UInt64(40 + i)))
            scope.set("b1p\(i)", try Tensor(shape: [1], scalars: [Float(0.8)]))
            scope.set("b2p\(i)", try Tensor(shape: [1], scalars: [Float(0.99)]))
        }
        scope.set("lr", try Tensor(shape: [1], scalars: [Float(0.01)]))
        return scope
    }

    @Test func mergeMakesOneOp() {
        #expect(opTypes(Self.program(merged: true)) == ["merged_adam"])
        #expect(opTypes(Self.program(merged: false)) == ["adam", "adam", "adam"])
    }

    @Test func equalsOneAdamPerParameterBitForBit() throws {
        var results: [[[Float]]] = []
        for merged in [false, true] {
            let scope = try Self.scope()
            let exe = Executor()
            let program = Self.program(merged: merged)
            for _ in 0..<2 { try exe.run(program, scope: scope) }
            results.append(
                try Self.sizes.indices.flatMap { i in
                    try ["p", "m1", "m2", "b1p", "b2p"].map { try scope["\($0)\(i)"]!.scalars(as: Float.self) }
                })
        }
        #expect(results[0] == results[1])
        // One element of the large parameter after the first step, by the formula.
        let s = try Self.scope()
        let (p, g, m1, m2) = try ["p1", "g1", "m11", "m21"].map { try s[$0]!.scalars(as: Float.self)[9000] }
            .splat()
        let a = 0.8 * m1 + 0.2 * g
        let b = 0.99 * m2 + 0.01 * g * g
        let lrT = 0.01 * (1 - Float(0.99)).squareRoot() / (1 - 0.8)
        let expected = p - lrT * (a / (b.squareRoot() + 1e-6 * (1 - Float(0.99)).squareRoot()))
        let once = try Self.scope()
        try Executor().run(Self.program(merged: true), scope: once)
        #expect(abs(try once["p1"]!.scalars(as: Float.self)[9000] - expected) <= 1e-6)
    }

    @Test func slotsOfDifferentLengthsAreRefusedByName() throws {
        let p = Self.program(merged: true)
        p.globalBlock.ops[0].setInput("Moment1", ["m10", "m11"])
        let message = thrownMessage { try Executor().run(p, scope: try Self.scope()) }
        #expect(message?.contains("Moment1") == true && message?.contains("merged_adam") == true, "\(message ?? "")")
    }

    @Test func differentHyperParametersStayApart() {
        let p = Self.program(merged: false)
        p.globalBlock.ops[1].attributes["beta1"] = .float(0.7)
        _ = try? MergeOptimizerOps().apply(to: p, scope: nil)
        #expect(opTypes(p) == ["adam", "adam", "adam"])
        p.globalBlock.ops[1].attributes["beta1"] = .float(0.8)
        p.globalBlock.ops[2].attributes["epsilon"] = .float(1e-7)
        _ = try? MergeOptimizerOps().apply(to: p, scope: nil)
        #expect(opTypes(p) == ["merged_adam", "adam"])
    }
}

/// merged_momentum against one momentum op per parameter, with Nesterov and a different L2
/// decay per parameter.
@Suite struct MergedMomentumTests {
    static let sizes = MergedOptimizerOpsTests.sizes

    static func program(merged: Bool) -> Program {
        let p = Program()
        let block = p.globalBlock
        block.addVar(VarDesc(name: "lr", dtype: .float32, shape: [1]))
        for (i, n) in sizes.enumerated() {
            for name in ["p", "g", "v"] { block.addVar(VarDesc(name: "\(name)\(i)", dtype: .float32, shape: [n])) }
            block.appendOp(
                OpDesc(
                    type: "momentum",
                    inputs: ["Param": ["p\(i)"], "Grad": ["g\(i)"], "Velocity": ["v\(i)"], "LearningRate": ["lr"]],
                    outputs: ["ParamOut": ["p\(i)"], "VelocityOut": ["v\(i)"]],
                    attributes: [
                        "mu": .float(0.85), "use_nesterov": .bool(true), "rescale_grad": .float(0.5),
                        "regularization_method": .string(i == 1 ? "" : "l2_decay"),
                        "regularization_coeff": .float(Float(i + 1) * 0.01),
                    ]))
        }
        if merged { _ = try? MergeOptimizerOps().apply(to: p, scope: nil) }
        return p
    }

    static func scope() throws -> Scope {
        let scope = Scope()
        for (i, n) in sizes.enumerated() {
            scope.set("p\(i)", Tensor.random([n], seed: UInt64(10 + i)))
            scope.set("g\(i)", Tensor.random([n], seed: UInt64(20 + i)))
            scope.set("v\(i)", Tensor.random([n], seed: UInt64(30 + i)))
        }
        scope.set("lr", try Tensor(shape: [1], scalars: [Float(0.1)]))
        return scope
    }

    @Test func equalsOneMomentumPerParameterBitForBit() throws {
        #expect(opTypes(Self.program(merged: true)) == ["merged_momentum"])
        var results: [[[Float]]] = []
        for merged in [false, true] {
            let scope = try Self.scope()
            let exe = Executor()
            let program = Self.program(merged: merged)
            for _ in 0..<2 { try exe.run(program, scope: scope) }
            results.append(
                try Self.sizes.indices.flatMap { i in
                    try ["p", "v"].map { try scope["\($0)\(i)"]!.scalars(as: Float.self) }
                })
        }
        #expect(results[0] == results[1])
    }

    @Test func wrongRegularizationListsAreRefusedByName() throws {
        let p = Self.program(merged: true)
        p.globalBlock.ops[0].attributes["regularization_coeff"] = .floats([0.1, 0.2])
        p.globalBlock.ops[0].attributes["regularization_method"] = .strings(["l2_decay", "l2_decay"])
        let message = thrownMessage { try Executor().run(p, scope: try Self.scope()) }
        #expect(message?.contains("regularization") == true, "\(message ?? "no error")")
    }
}

@Suite struct MergedSGDTests {
    static let sizes = MergedOptimizerOpsTests.sizes

    /// One sgd per parameter; the last takes its own learning rate, so the merged op gets one
    /// rate per parameter.
    static func program(merged: Bool) -> Program {
        let p = Program()
        let block = p.globalBlock
        for name in ["lr", "lr2"] { block.addVar(VarDesc(name: name, dtype: .float32, shape: [1])) }
        for (i, n) in sizes.enumerated() {
            for name in ["p", "g"] { block.addVar(VarDesc(name: "\(name)\(i)", dtype: .float32, shape: [n])) }
            block.appendOp(
                OpDesc(
                    type: "sgd",
                    inputs: [
                        "Param": ["p\(i)"], "Grad": ["g\(i)"], "LearningRate": [i == sizes.count - 1 ? "lr2" : "lr"],
                    ],
                    outputs: ["ParamOut": ["p\(i)"]]))
        }
        if merged { _ = try? MergeOptimizerOps().apply(to: p, scope: nil) }
        return p
    }

    static func scope() throws -> Scope {
        let scope = Scope()
        for (i, n) in sizes.enumerated() {
            scope.set("p\(i)", Tensor.random([n], seed: UInt64(40 + i)))
            scope.set("g\(i)", Tensor.random([n], seed: UInt64(50 + i)))
        }
        scope.set("lr", try Tensor(shape: [1], scalars: [Float(0.1)]))
        scope.set("lr2", try Tensor(shape: [1], scalars: [Float(0.03)]))
        return scope
    }

    @Test func equalsOneSGDPerParameterAndTheFormula() throws {
        let merged = Self.program(merged: true)
        #expect(opTypes(merged) == ["merged_sgd"])
        #expect(
            merged.globalBlock.ops[0].input("LearningRate")
                == Self.sizes.indices.map { $0 == Self.sizes.count - 1 ? "lr2" : "lr" })
        let start = try Self.scope()
        var results: [[[Float]]] = []
        for merged in [false, true] {
            let scope = try Self.scope()
            try Executor().run(Self.program(merged: merged), scope: scope)
            results.append(try Self.sizes.indices.map { try scope["p\($0)"]!.scalars(as: Float.self) })
        }
        #expect(results[0] == results[1])
        for i in Self.sizes.indices {
            let rate: Float = i == Self.sizes.count - 1 ? 0.03 : 0.1
            let (p, g) = (try start["p\(i)"]!.scalars(as: Float.self), try start["g\(i)"]!.scalars(as: Float.self))
            let expected = zip(p, g).map { $0 - rate * $1 }
            #expect(zip(results[1][i], expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "parameter \(i)")
        }
    }
}

extension Array {
    /// The first four elements as a tuple.
    fileprivate func splat() -> (Element, Element, Element, Element) { (self[0], self[1], self[2], self[3]) }
}
