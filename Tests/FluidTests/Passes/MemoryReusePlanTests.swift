import Testing

@testable import Fluid

/// Lifetimes recomputed here, independently of the pass: for every non-persistable,
/// non-data variable of block 0, the first and last op index that touches it.
private func naiveLifetimes(_ p: Program) -> [String: ClosedRange<Int>] {
    var first: [String: Int] = [:]
    var last: [String: Int] = [:]
    for (i, op) in p.globalBlock.ops.enumerated() {
        for name in op.inputNames + op.outputNames {
            if first[name] == nil { first[name] = i }
            last[name] = i
        }
    }
    return first.reduce(into: [:]) { r, e in r[e.key] = e.value...last[e.key]! }
}

/// A chain of `count` relus from x: t_1 = relu(x), ..., the last one fetched.
private func reluChain(_ count: Int) throws -> (Program, out: String) {
    let p = Program()
    let b = p.globalBlock
    b.addVar(VarDesc(name: "x", shape: [-1, 8], needCheckFeed: true))
    var last = "x"
    for i in 1...count {
        try b.appendInferred(OpDesc(type: "relu", inputs: ["X": [last]], outputs: ["Out": ["t\(i)"]]))
        last = "t\(i)"
    }
    return (p, last)
}

@Suite struct MemoryReusePlanTests {
    @Test func chainAlternatesTwoBuffers() throws {
        // t1 [0, 1], t2 [1, 2], t3 [2, 3], t4 fetched: t1 and t3 share, t2 never shares with
        // t1 or t3 (it is written by the op that last reads t1). At batch 2 a [2, 8] float
        // buffer is 64 bytes.
        let (p, out) = try reluChain(4)
        let pass = MemoryReusePlan(batchSize: 2, fetches: [out])
        let plan = pass.plan(for: p)
        #expect(plan.assignment == ["t1": "t1", "t2": "t2", "t3": "t1"])
        #expect(plan.bytesSaved == 64)
        let report = try pass.apply(to: p, scope: nil)
        #expect(report.bytesSaved == 64)
        #expect(p.globalBlock.ops.map { $0.output("Out")[0] } == ["t1", "t2", "t1", out])
        #expect(p.globalBlock.findVar("t3") == nil)
        let x = Tensor.random([2, 8], in: -1...1, seed: 3)
        let y = try Executor().run(p, scope: Scope(), feed: ["x": x], fetch: [out])[0]
        #expect(try y.scalars(as: Float.self) == x.scalars(as: Float.self).map { max($0, 0) })
    }

    @Test func nothingSharesWithoutTemporaries() throws {
        let (p, out) = try reluChain(1)
        let report = try MemoryReusePlan(fetches: [out]).apply(to: p, scope: nil)
        #expect(report.bytesSaved == 0 && opTypes(p) == ["relu"])
    }

    /// The tutorial's CNN (conv-pool-batch_norm-conv-pool-fc) or MLP, for inference.
    private func tutorialNetwork(cnn: Bool) throws -> (PassFixture, prediction: String) {
        var prediction = ""
        let f = try PassFixture(seed: 12) { net in
            let img = net.data("img", shape: [-1, 1, 12, 12])
            if cnn {
                var x = try net.conv2d(img, filters: 4, size: 3, act: .relu)
                x = try net.pool2d(x, size: 2, stride: 2, type: .max)
                x = try net.batchNorm(x, isTest: true)
                x = try net.pool2d(try net.conv2d(x, filters: 6, size: 3, act: .relu), size: 2, stride: 2, type: .max)
                prediction = try net.fc(x, size: 10, act: .softmax).name
            } else {
                let h = try net.fc(try net.fc(img, size: 16, act: .relu), size: 16, act: .relu)
                prediction = try net.fc(h, size: 10, act: .softmax).name
            }
        }
        return (f, prediction)
    }

    @Test(arguments: [true, false]) func tutorialNetworkSavesMemoryAndKeepsResults(cnn: Bool) throws {
        let (f, prediction) = try tutorialNetwork(cnn: cnn)
        let original = f.main.copy()
        let p = f.main.copy()
        let lifetimes = naiveLifetimes(original)
        let pass = MemoryReusePlan(batchSize: 8, fetches: [prediction])
        let plan = pass.plan(for: original)
        #expect(plan.bytesSaved > 0)
        for buffer in plan.buffers {
            for (i, a) in buffer.members.enumerated() {
                for b in buffer.members[(i + 1)...] {
                    let ra = try #require(lifetimes[a.name])
                    let rb = try #require(lifetimes[b.name])
                    #expect(!ra.overlaps(rb), "\(a.name) \(ra) and \(b.name) \(rb) share \(buffer.name)")
                    #expect(original.globalBlock.findVar(a.name)?.dtype == original.globalBlock.findVar(b.name)?.dtype)
                }
            }
        }
        for name in plan.assignment.keys {
            let v = try #require(original.globalBlock.findVar(name))
            #expect(!v.persistable && !v.needCheckFeed && name != prediction)
        }
        let report = try pass.apply(to: p, scope: nil)
        #expect(report.bytesSaved == plan.bytesSaved)
        let img = Tensor.random([8, 1, 12, 12], seed: 2)
        // Run twice: the second run goes through a plan whose buffers already hold other values.
        let exe = Executor()
        let scope = f.scope.makeChild()
        _ = try exe.run(p, scope: scope, feed: ["img": img], fetch: [prediction])
        let after = try exe.run(p, scope: scope, feed: ["img": img], fetch: [prediction])
        expectClose(after, try f.run(original, feed: ["img": img], fetch: [prediction]))
    }
}
