import Fluid
import FluidData
import Foundation
import Testing

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
        #expect(trainer.batchesPerEpoch == 10)  // 640 images in batches of 64
        try trainer.train()

        let metrics = try JSONDecoder().decode(
            TrainingMetrics.self, from: Data(contentsOf: URL(fileURLWithPath: metricsPath)))
        #expect(metrics.model == "softmax" && metrics.dataset == "mnist")
        #expect(metrics.epochs.map(\.epoch) == [1, 2, 3])
        #expect(metrics.epochs.map(\.steps) == [10, 20, 30])

        // Every 3rd batch of each pass is logged, with the cost the metrics hold, to 6 decimals.
        let stepLines = lines.filter { $0.hasPrefix("Pass ") }
        #expect(stepLines.count == 3 * 4)  // batches 0, 3, 6, 9
        #expect(metrics.trainSteps.map(\.batch) == Array(repeating: [0, 3, 6, 9], count: 3).flatMap { $0 })
        for (line, step) in zip(stepLines, metrics.trainSteps) {
            #expect(step.step == step.pass * 10 + step.batch)
            #expect(line == "Pass \(step.pass), Batch \(step.batch), Cost \(String(format: "%.6f", step.cost))")
            #expect(step.cost.isFinite && step.cost > 0)
        }
        let testLines = lines.filter { $0.hasPrefix("Test with Epoch ") }
        #expect(
            testLines
                == metrics.epochs.map {
                    "Test with Epoch \($0.epoch - 1), avg_cost: \($0.testCost), acc: \($0.testAccuracy)"
                })

        // The tutorial's best pass: the lowest test cost, found here independently of `best`.
        var bestIndex = 0
        for (i, e) in metrics.epochs.enumerated() where e.testCost < metrics.epochs[bestIndex].testCost {
            bestIndex = i
        }
        let best = metrics.epochs[bestIndex]
        #expect(metrics.bestEpoch == bestIndex + 1)
        #expect(
            lines.suffix(2) == [
                "Best pass is \(bestIndex), testing Avgcost is \(best.testCost)",
                "The classification accuracy is \(String(format: "%.2f", best.testAccuracy * 100))%",
            ])
    }

    /// The PNG written after every epoch: 800 x 500, its blue curve through every logged cost and
    /// an orange marker at every epoch's test cost, where the axis ranges put them.
    /// 100 test images in batches of 64 and 36: the mean over images, not over batches of the
    /// nominal size, checked against the same network run on one image at a time.
    @Test func evaluateWeighsEachBatchByItsImages() throws {
        var options = Self.options(epochs: 1)
        options.testLimit = 100
        let trainer = try Trainer(options) { _ in }
        try trainer.train()
        let feeder = try DataFeeder(
            feedList: [trainer.network.image.name, trainer.network.label.name], program: trainer.network.main)
        let (cost, accuracy) = try trainer.evaluate(trainer.testSet, feeder: feeder)

        var costSum = 0.0
        var correct = 0.0
        for sample in trainer.testSet.reader.batch(size: 1) {
            let out = try trainer.executor.run(
                trainer.testProgram, scope: trainer.scope, feed: try feeder.feed(sample),
                fetch: [trainer.network.loss.name, trainer.network.accuracy.name])
            costSum += Double(try out[0].scalar(as: Float.self))
            correct += Double(try out[1].scalar(as: Float.self))
        }
        #expect(trainer.testSet.count == 100)
        #expect(abs(cost - costSum / 100) < 1e-5, "cost \(cost) vs \(costSum / 100) image by image")
        #expect(abs(accuracy - correct / 100) < 1e-6, "accuracy \(accuracy) vs \(correct / 100) image by image")
    }

    @Test func thePlotFollowsTheLoggedCosts() throws {
        var options = Self.options(epochs: 2)
        let plotPath = Self.temporaryPath("cost.png")
        defer { try? FileManager.default.removeItem(atPath: plotPath) }
        options.plotPath = plotPath
        let trainer = try Trainer(options) { _ in }
        let metrics = try trainer.train()
        let png = try DecodedPNG(contentsOf: plotPath)
        #expect(png.width == 800 && png.height == 500 && png.channels == 3)

        let frame = trainer.costPlot.layout(width: 800, height: 500).frame
        #expect(frame.steps == 0...20 && frame.costs.lowerBound == 0)
        #expect(metrics.trainSteps.allSatisfy { frame.costs.contains($0.cost) })
        func color(_ x: Int, _ y: Int) -> [UInt8] {
            Array(png.samples[(y * png.width + x) * 3..<(y * png.width + x) * 3 + 3])
        }
        func expected(step: Int, cost: Double) -> (x: Int, y: Int) {
            let area = frame.area
            let fx = Double(step - 0) / 20
            let fy = (cost - frame.costs.lowerBound) / (frame.costs.upperBound - frame.costs.lowerBound)
            return (
                area.x + Int((fx * Double(area.width - 1)).rounded()),
                area.maxY - Int((fy * Double(area.height - 1)).rounded())
            )
        }
        func near(_ p: (x: Int, y: Int), _ rgb: [UInt8], within r: Int) -> Bool {
            for dy in -r...r { for dx in -r...r where color(p.x + dx, p.y + dy) == rgb { return true } }
            return false
        }
        let blue: [UInt8] = [31, 119, 180]
        let orange: [UInt8] = [255, 127, 14]
        for s in metrics.trainSteps {
            #expect(near(expected(step: s.step, cost: s.cost), blue, within: 2), "train point \(s)")
        }
        for e in metrics.epochs {
            #expect(near(expected(step: e.steps, cost: e.testCost), orange, within: 1), "test point \(e)")
        }
        // Between logged steps the curve runs only between their heights (a straight segment).
        let first = metrics.trainSteps[0]
        let second = metrics.trainSteps[1]
        let (a, b) = (expected(step: first.step, cost: first.cost), expected(step: second.step, cost: second.cost))
        let column = (a.x + b.x) / 2
        let rows = (frame.area.y...frame.area.maxY).filter { color(column, $0) == blue }
        #expect(
            !rows.isEmpty && rows.allSatisfy { $0 >= min(a.y, b.y) - 2 && $0 <= max(a.y, b.y) + 2 },
            "\(rows) not in \(a.y)...\(b.y)")
    }

    @Test func aMetricsPathThatIsADirectoryIsNamedPlainly() throws {
        var options = Self.options(epochs: 1)
        options.metricsPath = NSTemporaryDirectory()
        let trainer = try Trainer(options) { _ in }
        do {
            try trainer.train()
            Issue.record("a directory cannot take the metrics file")
        } catch {
            #expect("\(error)".contains("it is a directory") && !"\(error)".contains("NSCocoaErrorDomain"), "\(error)")
            #expect(trainer.epochsCompleted == 0)  // refused before any training
        }
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
        func be(_ v: Int) -> [UInt8] {
            [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]
        }
        for prefix in ["train", "t10k"] {
            let images = [0, 0, 8, 3] + be(count) + be(28) + be(28) + [UInt8](repeating: 0, count: count * 784)
            let labels = [0, 0, 8, 1] + be(count) + [UInt8](repeating: 1, count: count)
            try Data(images).write(to: URL(fileURLWithPath: directory + "/\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: URL(fileURLWithPath: directory + "/\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func imagesWithoutRowsAreNamedByTheirFile() throws {
        let directory = Self.temporaryPath("norows")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeDataset(count: 0, in: directory)
        // Rewrite the training images as 2 images of 0 x 28.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 28]
        let path = directory + "/train-images-idx3-ubyte"
        try Data(header).write(to: URL(fileURLWithPath: path))
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 1, 1]
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/train-labels-idx1-ubyte"))
        do {
            _ = try DigitDataset.mnist.load(.train, directory: directory)
            Issue.record("images of 0 rows must be refused")
        } catch {
            #expect(
                "\(error)".contains("File '\(path)' is invalid") && "\(error)".contains("rows and columns"), "\(error)")
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
                #expect(
                    error.description.hasPrefix("Directory '\(directory)' holds no \(dataset.displayName) dataset"),
                    "\(error)")
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

@Suite struct DatasetDownloadTests {
    @Test func theFetchScriptIsFoundAboveTheBuildAndAnInstalledDatasetIsLeftAlone() throws {
        let script = try #require(DatasetDownload.fetchScript())
        #expect(script.hasSuffix("/Tools/fetch-mnist"))
        #expect(FileManager.default.isExecutableFile(atPath: script))
        // MNIST is installed for the tests: nothing runs, nothing is logged.
        var logged: [String] = []
        try DatasetDownload.ensure(.mnist) { logged.append($0) }
        #expect(logged.isEmpty)
    }
}
