import Testing

@testable import Fluid

@Suite struct FCFuseTests {
    @Test func mlpLayersBecomeFCOps() throws {
        var prediction = ""
        let f = try PassFixture(seed: 4) { net in
            let img = net.data("img", shape: [-1, 1, 4, 4])
            let hidden = try net.fc(img, size: 7, act: .relu)
            prediction = try net.fc(hidden, size: 3, act: .softmax).name
        }
        let p = f.main.copy()
        let report = try FCFuse().apply(to: p, scope: nil)
        #expect(report.fusions == 2 && report.opsRemoved == 5 && report.opsAdded == 2)
        #expect(opTypes(p) == ["fc", "fc", "softmax"])
        let first = p.globalBlock.ops[0]
        let second = p.globalBlock.ops[1]
        #expect(
            first.input("Input") == ["img"] && first.input("W") == ["fc_0.w_0"] && first.input("Bias") == ["fc_0.b_0"])
        #expect(
            first.attributes["activation_type"] == .string("relu") && first.attributes["in_num_col_dims"] == .int(1))
        #expect(first.attributes["padding_weights"] == .bool(false))
        #expect(second.attributes["activation_type"] == .string(""), "softmax is not fused")
        #expect(second.input("Input") == first.output("Out"))
        #expect(p.globalBlock.findVar("fc_0.tmp_0") == nil, "the mul's output is gone")

        let img = Tensor.random([3, 1, 4, 4], seed: 8)
        expectClose(
            try f.run(p, feed: ["img": img], fetch: [prediction]),
            try f.run(f.main, feed: ["img": img], fetch: [prediction]))
    }

    @Test func keepsLeadingDimsWithNumFlattenDims() throws {
        var out = ""
        let f = try PassFixture(seed: 6) { net in
            out = try net.fc(net.data("x", shape: [-1, 3, 5]), size: 4, numFlattenDims: 2).name
        }
        let p = f.main.copy()
        #expect(try FCFuse().apply(to: p, scope: nil).fusions == 1)
        #expect(opTypes(p) == ["fc"] && p.globalBlock.ops[0].attributes["in_num_col_dims"] == .int(2))
        let x = Tensor.random([2, 3, 5], seed: 2)
        expectClose(try f.run(p, feed: ["x": x], fetch: [out]), try f.run(f.main, feed: ["x": x], fetch: [out]))
    }

    @Test func mulOutputReadElsewhereIsNotFused() throws {
        let f = try PassFixture { net in
            let x = net.data("x", shape: [-1, 4])
            _ = try net.fc(x, size: 3, act: .relu)
            _ = try net.sigmoid(try net.variable("fc_0.tmp_0"))  // the mul's output, read a second time
        }
        let p = f.main.copy()
        #expect(try FCFuse().apply(to: p, scope: nil).fusions == 0)
        #expect(p.globalBlock.ops == f.main.globalBlock.ops)
        // So is a mul whose output is fetched.
        let q = try PassFixture { net in _ = try net.fc(net.data("x", shape: [-1, 4]), size: 3) }
        #expect(try FCFuse(fetches: ["fc_0.tmp_0"]).apply(to: q.main, scope: nil).fusions == 0)
    }

    @Test func addOutputReadTwiceKeepsTheRelu() throws {
        var relu = ""
        var sum = ""
        let f = try PassFixture { net in
            let h = try net.fc(net.data("x", shape: [-1, 4]), size: 3)
            sum = h.name
            relu = try net.relu(h).name
            _ = try net.tanh(h)
        }
        let p = f.main.copy()
        #expect(try FCFuse().apply(to: p, scope: nil).fusions == 1)
        #expect(opTypes(p) == ["fc", "relu", "tanh"])
        #expect(p.globalBlock.ops[0].attributes["activation_type"] == .string(""))
        let x = Tensor.random([5, 4], seed: 3)
        expectClose(
            try f.run(p, feed: ["x": x], fetch: [sum, relu]), try f.run(f.main, feed: ["x": x], fetch: [sum, relu]))
    }

    @Test func nonParameterWeightOrBiasIsNotFused() throws {
        // mul of two data variables: Y is no persistable weight.
        let p = Program()
        let b = p.globalBlock
        b.addVar(VarDesc(name: "x", shape: [-1, 4], needCheckFeed: true))
        b.addVar(VarDesc(name: "w", shape: [4, 3], needCheckFeed: true))
        b.addVar(VarDesc(name: "bias", shape: [3], persistable: true))
        try b.appendInferred(OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["w"]], outputs: ["Out": ["m"]]))
        try b.appendInferred(
            OpDesc(type: "elementwise_add", inputs: ["X": ["m"], "Y": ["bias"]], outputs: ["Out": ["y"]]))
        #expect(try FCFuse().apply(to: p, scope: nil).fusions == 0)
    }
}
