import Fluid
import FluidData
import FluidTestSupport
import Foundation
import Testing

/// The README's walk-through, step for step, on a slice of MNIST: the code a reader copies must
/// compile and do what the README says.
@Suite struct WalkthroughTests {
    @Test func theReadmeWalkthroughTrainsSavesLoadsAndRecognises() throws {
        let directory = try TemporaryDirectory()
        // 1. The program.
        let main = Program()
        let startup = Program()
        main.randomSeed = 90
        startup.randomSeed = 90
        let net = ProgramBuilder(main: main, startup: startup)
        let img = net.data("img", shape: [-1, 1, 28, 28])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        let h1 = try net.fc(img, size: 200, act: .relu)
        let h2 = try net.fc(h1, size: 200, act: .relu)
        let prediction = try net.fc(h2, size: 10, act: .softmax)
        let loss = try net.mean(try net.crossEntropy(prediction, label))
        let accuracy = try net.accuracy(prediction, label)
        // 2. The test clone, 3. minimize.
        let test = main.clone(forTest: true)
        try Adam(learningRate: 0.001).minimize(loss, program: main, startup: startup)
        #expect(
            main.globalBlock.ops.contains { $0.type == "adam" } && !test.globalBlock.ops.contains { $0.type == "adam" })
        // 4. The executor and the readers.
        let exe = Executor()
        let scope = Scope()
        try exe.run(startup, scope: scope)
        let feeder = try DataFeeder(feeding: [img, label], program: main)
        let train = try MNIST.train()
        let testSet = try MNIST.test()
        let batches = train.reader.firstN(64 * 100).shuffle(bufferSize: 500, seed: 90).batch(size: 64)
        var costs: [Float] = []
        for _ in 0..<2 {
            for batch in batches {
                let out = try exe.run(main, scope: scope, feed: try feeder.feed(batch), fetch: [loss])
                try costs.append(out.scalar(loss))
            }
        }
        var correct = 0.0
        for batch in testSet.reader.firstN(500).batch(size: 64) {
            let out = try exe.run(test, scope: scope, feed: try feeder.feed(batch), fetch: [accuracy])
            try correct += Double(out.scalar(accuracy)) * Double(batch.count)
        }
        #expect(costs.count == 200 && costs.suffix(20).reduce(0, +) < costs.prefix(20).reduce(0, +) / 3)
        #expect(correct / 500 > 0.85, "accuracy \(correct / 500)")

        // 5. Save, load, recognise a PNG.
        let modelPath = directory.file("mlp.inference.model")
        try saveInferenceModel(to: modelPath, feeding: [img], fetching: [prediction], program: main, scope: scope)
        let model = try loadInferenceModel(from: modelPath)
        let png = try writeSampleDigits(to: directory.path, count: 4, from: testSet)[3]  // infer_3.png
        let image = try DigitImage.tensor(contentsOfPNG: png)
        let probabilities = try exe.run(model.program, scope: model.scope, feed: ["img": image])[0]
        // The loaded model computes what the trained program computes for the same image.
        let direct = try exe.run(
            test, scope: scope, feed: ["img": image, "label": Tensor(shape: [1, 1], scalars: [Int64(3)])],
            fetch: [prediction]
        ).tensor(prediction)
        #expect(try probabilities.scalars(as: Float.self) == direct.scalars(as: Float.self))
        let scores = try probabilities.scalars(as: Float.self)
        #expect(scores.firstIndex(of: scores.max()!) == 3)
    }
}
