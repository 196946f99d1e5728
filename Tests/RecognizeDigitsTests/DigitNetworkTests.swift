import Fluid
import Foundation
import Testing

@testable import RecognizeDigits

@Suite struct DigitNetworkTests {
    func randomImages(_ n: Int, seed: UInt64) throws -> Tensor {
        var state = seed
        let values = (0..<n * 784).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        return try Tensor(shape: [n, 1, 28, 28], scalars: values)
    }

    @Test(arguments: DigitModel.allCases) func forwardGivesProbabilities(model: DigitModel) throws {
        let net = try DigitNetwork(model, seed: 90)
        let exe = Executor()
        let scope = Scope()
        try exe.run(net.startup, scope: scope)
        let test = net.main.clone(forTest: true)
        let n = 5
        let labels = try Tensor(shape: [n, 1], scalars: (0..<n).map { Int64($0) })
        let out = try exe.run(
            test, scope: scope, feed: ["img": try randomImages(n, seed: 1), "label": labels],
            fetch: [net.prediction.name, net.loss.name])
        #expect(out[0].shape == [n, 10])
        let p = try out[0].scalars(as: Float.self)
        for row in 0..<n {
            let s = p[row * 10..<(row + 1) * 10].reduce(0, +)
            #expect(abs(s - 1) < 1e-5, "row \(row) sums to \(s)")
        }
        var want = 0.0
        for row in 0..<n { want -= log(Double(p[row * 10 + row])) }
        #expect(try abs(Double(out[1].scalar(as: Float.self)) - want / Double(n)) < 1e-4, "mean cross entropy")
    }

    @Test(arguments: DigitModel.allCases) func startupSeedMakesInitialisationReproducible(model: DigitModel) throws {
        func parameters(seed: Int) throws -> [String: [Float]] {
            let net = try DigitNetwork(model, seed: seed)
            let scope = Scope()
            try Executor().run(net.startup, scope: scope)
            let names = net.startup.globalBlock.vars.filter(\.isParameter).map(\.name)
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try scope[$0]!.scalars(as: Float.self)) })
        }
        let a = try parameters(seed: 90)
        let b = try parameters(seed: 90)
        let c = try parameters(seed: 91)
        #expect(!a.isEmpty)
        #expect(a == b, "the same seed must give bit-identical parameters")
        let weights = a.keys.filter { $0.hasSuffix(".w_0") && !$0.hasPrefix("batch_norm") }
        #expect(!weights.isEmpty)
        for name in weights { #expect(a[name] != c[name], "\(name) must differ with another seed") }
    }

    @Test func namesAndShapesMatchPaddle() throws {
        let cnn = try DigitNetwork(.cnn, seed: 90)
        let block = cnn.main.globalBlock
        #expect(block.findVar("conv2d_0.w_0")?.shape == [20, 1, 5, 5])
        #expect(block.findVar("conv2d_1.w_0")?.shape == [50, 20, 5, 5])
        #expect(block.findVar("batch_norm_0.w_1")?.persistable == true)
        #expect(block.findVar("fc_0.w_0")?.shape == [800, 10])
        #expect(block.findVar("pool2d_1.tmp_0")?.shape == [-1, 50, 4, 4])
        #expect(cnn.prediction.name == "fc_0.tmp_2")
        let mlp = try DigitNetwork(.mlp, seed: 90)
        #expect(mlp.main.globalBlock.findVar("fc_0.w_0")?.shape == [784, 200])
        #expect(mlp.main.globalBlock.findVar("fc_2.w_0")?.shape == [200, 10])
    }
}
