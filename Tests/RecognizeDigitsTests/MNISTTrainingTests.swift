import Testing
import Fluid
import FluidData
@testable import RecognizeDigits

/// Real learning on real data: a few hundred Adam steps of softmax regression on an MNIST slice
/// must lift held-out accuracy far above chance (0.10).
@Suite struct MNISTTrainingTests {
    @Test func softmaxRegressionLearnsFromASlice() throws {
        let network = try DigitNetwork(.softmax, seed: 90)
        let test = network.main.clone(forTest: true)
        try Adam(learningRate: 0.001).minimize(network.loss, program: network.main, startup: network.startup)
        let exe = Executor(), scope = Scope()
        try exe.run(network.startup, scope: scope)
        let feeder = try DataFeeder(feedList: ["img", "label"], program: network.main)

        let train = try MNIST.train()
        let batches = train.reader.firstN(64 * 300).shuffle(bufferSize: 500, seed: 1).batch(size: 64)
        for batch in batches { try exe.run(network.main, scope: scope, feed: try feeder.feed(batch)) }

        let heldOut = try MNIST.test()
        var correct = 0.0, total = 0
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
