import Fluid
import FluidData
import Foundation
import Testing

@testable import RecognizeDigits

/// Real learning on real data: softmax regression on MNIST follows a naive reference step by step,
/// and a few hundred Adam steps lift held-out accuracy far above chance (0.10).
@Suite struct MNISTTrainingTests {
    /// Ten SGD steps of the tutorial's softmax network against the same model written out here in
    /// Double: z = xW + b, p = softmax(z), loss = mean(-log p[label]), dz = (p - onehot) / N. SGD
    /// shows any error in the gradient's scale or direction in the very next loss.
    @Test func softmaxRegressionFollowsANaiveReferenceStepByStep() throws {
        let network = try DigitNetwork(.softmax, seed: 90)
        try SGD(learningRate: 0.01).minimize(network.loss, program: network.main, startup: network.startup)
        let exe = Executor()
        let scope = Scope()
        try exe.run(network.startup, scope: scope)
        let parameters = network.main.globalBlock.vars.filter(\.isParameter)
        let weightName = try #require(parameters.first { $0.shape == [784, 10] }).name
        let biasName = try #require(parameters.first { $0.shape == [10] }).name
        var w = try scope[weightName]!.scalars(as: Float.self).map(Double.init)
        var b = try scope[biasName]!.scalars(as: Float.self).map(Double.init)
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)

        let (n, d, k) = (64, 784, 10)
        for (step, batch) in try MNIST.train().reader.firstN(n * 10).batch(size: n).enumerated() {
            let feed = try feeder.feed(batch)
            let x = try feed["img"]!.scalars(as: Float.self).map(Double.init)
            let labels = try feed["label"]!.scalars(as: Int64.self).map(Int.init)
            var wantLoss = 0.0
            var dz = [Double](repeating: 0, count: n * k)
            for i in 0..<n {
                var z = b
                for j in 0..<d where x[i * d + j] != 0 { for c in 0..<k { z[c] += x[i * d + j] * w[j * k + c] } }
                let top = z.max()!
                let e = z.map { Foundation.exp($0 - top) }
                let sum = e.reduce(0, +)
                wantLoss -= Foundation.log(e[labels[i]] / sum) / Double(n)
                for c in 0..<k { dz[i * k + c] = (e[c] / sum - (c == labels[i] ? 1 : 0)) / Double(n) }
            }
            let loss = try exe.run(network.main, scope: scope, feed: feed, fetch: [network.loss.name])[0]
            let got = Double(try loss.scalar(as: Float.self))
            #expect(abs(got - wantLoss) <= 1e-4 * (1 + wantLoss), "step \(step): loss \(got), reference \(wantLoss)")
            for j in 0..<d {
                for c in 0..<k {
                    var g = 0.0
                    for i in 0..<n { g += x[i * d + j] * dz[i * k + c] }
                    w[j * k + c] -= 0.01 * g
                }
            }
            for c in 0..<k { b[c] -= 0.01 * (0..<n).reduce(0) { $0 + dz[$1 * k + c] } }
        }
        let trained = try scope[weightName]!.scalars(as: Float.self)
        let worst = zip(trained, w).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "weights after 10 steps differ from the reference by up to \(worst)")
    }

    @Test func softmaxRegressionLearnsFromASlice() throws {
        let network = try DigitNetwork(.softmax, seed: 90)
        let test = network.main.clone(forTest: true)
        try Adam(learningRate: 0.001).minimize(network.loss, program: network.main, startup: network.startup)
        let exe = Executor()
        let scope = Scope()
        try exe.run(network.startup, scope: scope)
        let feeder = try DataFeeder(feeding: [network.image, network.label], program: network.main)

        let train = try MNIST.train()
        let batches = train.reader.firstN(64 * 300).shuffle(bufferSize: 500, seed: 1).batch(size: 64)
        for batch in batches { try exe.run(network.main, scope: scope, feed: try feeder.feed(batch)) }

        let heldOut = try MNIST.test()
        var correct = 0.0
        var total = 0
        for batch in heldOut.reader.firstN(2000).batch(size: 500) {
            let acc = try exe.run(test, scope: scope, feed: try feeder.feed(batch), fetch: [network.accuracy.name])[0]
            try correct += Double(acc.scalar(as: Float.self)) * Double(batch.count)
            total += batch.count
        }
        let accuracy = correct / Double(total)
        #expect(total == 2000)
        #expect(accuracy > 0.85, "held-out accuracy \(accuracy)")
    }
}
