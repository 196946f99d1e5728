import Foundation
import Testing
import Fluid
import FluidData
@testable import RecognizeDigits

/// A short run of the tutorial's loop on a real MNIST slice: the log lines' format, the metrics
/// file, the closing "Best pass" lines, and the errors of runs that cannot go on.
@Suite struct TrainingRunTests {
    static func options(epochs: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.model = .softmax
        o.epochs = epochs
        o.trainLimit = 640
        o.testLimit = 200
        o.logInterval = 3
        o.shuffleBuffer = 100
        return o
    }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "swiftfluid-run-" + UUID().uuidString + "-" + name
    }

    @Test func logLinesMetricsAndBestPassAgree() throws {
        var options = Self.options(epochs: 3)
        let metricsPath = Self.temporaryPath("metrics.json")
        defer { try? FileManager.default.removeItem(atPath: metricsPath) }
        options.metricsPath = metricsPath
        var lines: [String] = []
        let trainer = try Trainer(options) { lines.append($0) }
        #expect(trainer.batchesPerEpoch == 10)   // 640 images in batches of 64
        try trainer.train()

        let metrics = try JSONDecoder().decode(TrainingMetrics.self, from: Data(contentsOf: URL(fileURLWithPath: metricsPath)))
        #expect(metrics.model == "softmax" && metrics.dataset == "mnist")
        #expect(metrics.epochs.map(\.epoch) == [1, 2, 3])
        #expect(metrics.epochs.map(\.steps) == [10, 20, 30])

        // Every 3rd batch of each pass is logged, with the cost the metrics hold, to 6 decimals.
        let stepLines = lines.filter { $0.hasPrefix("Pass ") }
        #expect(stepLines.count == 3 * 4)   // batches 0, 3, 6, 9
        #expect(metrics.trainSteps.map(\.batch) == Array(repeating: [0, 3, 6, 9], count: 3).flatMap { $0 })
        for (line, step) in zip(stepLines, metrics.trainSteps) {
            #expect(step.step == step.pass * 10 + step.batch)
            #expect(line == "Pass \(step.pass), Batch \(step.batch), Cost \(String(format: "%.6f", step.cost))")
            #expect(step.cost.isFinite && step.cost > 0)
        }
        let testLines = lines.filter { $0.hasPrefix("Test with Epoch ") }
        #expect(testLines == metrics.epochs.map { "Test with Epoch \($0.epoch - 1), avg_cost: \($0.testCost), acc: \($0.testAccuracy)" })

        // The tutorial's best pass: the lowest test cost, found here independently of `best`.
        var bestIndex = 0
        for (i, e) in metrics.epochs.enumerated() where e.testCost < metrics.epochs[bestIndex].testCost { bestIndex = i }
        let best = metrics.epochs[bestIndex]
        #expect(metrics.bestEpoch == bestIndex + 1)
        #expect(lines.suffix(2) == ["Best pass is \(bestIndex), testing Avgcost is \(best.testCost)",
                                    "The classification accuracy is \(String(format: "%.2f", best.testAccuracy * 100))%"])
    }

    @Test func aDivergingRunStopsNamingTheStepAndALowerRate() throws {
        var options = Self.options()
        options.learningRate = 1e30
        let trainer = try Trainer(options) { _ in }
        do {
            try trainer.train()
            Issue.record("a learning rate of 1e30 must make the loss non-finite")
        } catch let error as TutorialError {
            #expect(error.description.contains("Training diverged"), "\(error)")
            #expect(error.description.contains("at pass 0, batch "), "\(error)")
            #expect(error.description.contains("lower learning rate"), "\(error)")
        }
    }

    /// IDX files of `count` 28 x 28 images and labels, gzip-free, in a fresh directory.
    static func writeDataset(count: Int, in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        for prefix in ["train", "t10k"] {
            let images = [0, 0, 8, 3] + be(count) + be(28) + be(28) + [UInt8](repeating: 0, count: count * 784)
            let labels = [0, 0, 8, 1] + be(count) + [UInt8](repeating: 1, count: count)
            try Data(images).write(to: URL(fileURLWithPath: directory + "/\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: URL(fileURLWithPath: directory + "/\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func anEmptyDatasetIsAnErrorNotZeroAccuracy() throws {
        let directory = Self.temporaryPath("empty")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeDataset(count: 0, in: directory)
        var options = Self.options()
        options.dataDirectory = directory
        do {
            _ = try Trainer(options) { _ in }
            Issue.record("an empty training set must be refused")
        } catch let error as TutorialError {
            #expect(error.description.contains("train set in \(directory) holds no images"), "\(error)")
        }
    }

    @Test func aDataDirectoryWithoutADatasetSaysSo() throws {
        let directory = Self.temporaryPath("nothing")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for dataset in DigitDataset.allCases {
            do {
                _ = try dataset.load(.test, directory: directory)
                Issue.record("\(directory) holds nothing")
            } catch let error as TutorialError {
                #expect(error.description.hasPrefix("Directory '\(directory)' holds no \(dataset.displayName) dataset"), "\(error)")
                #expect(!error.description.contains("fetch-mnist"), "\(error)")
            }
        }
    }

    @Test func fashionMNISTTrainsFromDebiansPackage() throws {
        var options = Self.options(epochs: 1)
        options.dataset = .fashionMNIST
        var lines: [String] = []
        let metrics = try Trainer(options) { lines.append($0) }.train()
        #expect(metrics.dataset == "fashion-mnist")
        // Ten clothing classes: after 10 steps on 640 images, well above chance on 200 test images.
        #expect(metrics.epochs[0].testAccuracy > 0.4, "\(metrics.epochs[0])")
    }

    @Test func scheduleWeightDecayAndDropoutChangeTheProgram() throws {
        var options = Self.options()
        options.model = .mlp
        options.schedule = .cosine
        options.weightDecay = 1e-4
        options.dropout = 0.25
        let trainer = try Trainer(options) { _ in }
        let types = trainer.network.main.blocks[0].ops.map(\.type)
        #expect(types.filter { $0 == "dropout" }.count == 2)
        #expect(types.contains("lr_schedule"))
        let schedule = try #require(trainer.network.main.blocks[0].ops.first { $0.type == "lr_schedule" })
        #expect(schedule.attributes["step_each_epoch"] == .int(10) && schedule.attributes["epochs"] == .int(2))
        // One L2 decay (scale) per parameter: 3 weights and 3 biases.
        #expect(types.filter { $0 == "scale" }.count == 6)
        // The test clone keeps dropout in test mode.
        let testDropouts = trainer.testProgram.blocks[0].ops.filter { $0.type == "dropout" }
        #expect(testDropouts.count == 2 && testDropouts.allSatisfy { $0.attributes["is_test"] == .bool(true) })
    }
}
