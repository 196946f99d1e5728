import Fluid
import FluidData
import Testing

/// Batches of samples to feed tensors, checked against the program's data variables.
@Suite struct DataFeederTests {
    static func program(image: [Int] = [-1, 1, 28, 28], label: [Int] = [-1, 1], labelType: DataType = .int64) -> Program
    {
        let program = Program()
        program.globalBlock.addVar(VarDesc(name: "img", dtype: .float32, shape: image))
        program.globalBlock.addVar(VarDesc(name: "label", dtype: labelType, shape: label))
        return program
    }

    @Test func feedsMNISTBatchesAsTutorialTensors() throws {
        let test = try RealData.mnistTest.get()
        let feeder = try DataFeeder(feedList: ["img", "label"], program: Self.program())
        let batch = try (0..<64).map { try test[$0] }
        let feed = try feeder.feed(batch)
        let image = try #require(feed["img"])
        let label = try #require(feed["label"])
        #expect(image.shape == [64, 1, 28, 28] && image.dtype == .float32)
        #expect(label.shape == [64, 1] && label.dtype == .int64)
        #expect(try Array(label.scalars(as: Int64.self).prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let floats = try image.scalars(as: Float.self)
        #expect(try Array(floats[784 * 5..<784 * 6]) == test[5].image)

        // The last, smaller batch reuses the same tensors.
        let last = try feeder.feed(Array(batch.prefix(16)))
        #expect(last["img"] === image && last["img"]?.shape == [16, 1, 28, 28])
        #expect(last["label"]?.shape == [16, 1])
    }

    @Test func reshapesFlatFieldsLikePaddle() throws {
        let feeder = try DataFeeder(feedList: ["img", "label"], program: Self.program(image: [-1, 784]))
        let test = try RealData.mnistTest.get()
        let feed = try feeder.feed([test[0], test[1]])
        #expect(feed["img"]?.shape == [2, 784])

        let flat = ArraySample(
            try .float32(Array(repeating: 0.5, count: 784), shape: [784]), try .int64([3], shape: [1]))
        let nested = try DataFeeder(feedList: ["img", "label"], program: Self.program()).feed([flat])
        #expect(nested["img"]?.shape == [1, 1, 28, 28])
        #expect(try nested["label"]?.scalars(as: Int64.self) == [3])
    }

    @Test func unknownVariableIsNamed() {
        #expect(throws: DataError.unknownFeedVariable(name: "pixels")) {
            _ = try DataFeeder(feedList: ["pixels", "label"], program: Self.program())
        }
        let stranger = Variable(name: "pixels", dtype: .float32, shape: [-1, 784])
        #expect(throws: DataError.unknownFeedVariable(name: "pixels")) {
            _ = try DataFeeder(feeding: [stranger], program: Self.program())
        }
    }

    /// A field whose values do not fill its shape is refused when made, naming the shape.
    @Test func aFieldThatDoesNotFillItsShapeIsRefused() {
        #expect(
            throws: FluidError.invalidArgument(
                name: "shape", message: "a field of shape [784] cannot hold the 783 values given")
        ) {
            _ = try ArraySample.Field.float32(Array(repeating: 0, count: 783), shape: [784])
        }
        #expect(throws: FluidError.self) { _ = try ArraySample.Field.int64([1], shape: [-1]) }
    }

    /// Feeding by the builder's variables fills the same tensors as feeding by name.
    @Test func feedingByVariables() throws {
        let main = Program()
        let net = ProgramBuilder(main: main, startup: Program())
        let img = net.data("img", shape: [-1, 1, 28, 28])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        let feeder = try DataFeeder(feeding: [img, label], program: main)
        #expect(feeder.variables.map(\.name) == ["img", "label"])
        let sample = ArraySample(
            try .float32(Array(repeating: 0.25, count: 784), shape: [784]), try .int64([7], shape: [1]))
        let feed = try feeder.feed([sample, sample])
        #expect(feed["img"]?.shape == [2, 1, 28, 28])
        #expect(try feed["label"]?.scalars(as: Int64.self) == [7, 7])
    }

    @Test func dtypeMismatchNamesTheVariable() throws {
        let feeder = try DataFeeder(feedList: ["img", "label"], program: Self.program(labelType: .int32))
        let test = try RealData.mnistTest.get()
        #expect {
            _ = try feeder.feed([test[0]])
        } throws: { error in
            guard case .feedMismatch(let variable, let problem) = error as? DataError else { return false }
            return variable == "label" && problem.contains("int32") && problem.contains("int64")
        }
    }

    @Test func shapeMismatchNamesTheVariable() throws {
        let feeder = try DataFeeder(feedList: ["img", "label"], program: Self.program(image: [-1, 1, 32, 32]))
        let test = try RealData.mnistTest.get()
        #expect {
            _ = try feeder.feed([test[0]])
        } throws: { error in
            guard case .feedMismatch(let variable, let problem) = error as? DataError else { return false }
            return variable == "img" && problem.contains("[1, 28, 28]") && error.localizedDescription.isEmpty == false
        }
        let wrongCount = try DataFeeder(feedList: ["img", "label"], program: Self.program(image: [-1, 100]))
        #expect(throws: DataError.self) { _ = try wrongCount.feed([test[0]]) }
        let fixedBatch = try DataFeeder(feedList: ["img", "label"], program: Self.program(image: [8, 1, 28, 28]))
        #expect(throws: DataError.self) { _ = try fixedBatch.feed([test[0], test[1]]) }
    }

    @Test func fieldCountAndEmptyBatchAreReported() throws {
        let feeder = try DataFeeder(feedList: ["img", "label"], program: Self.program())
        #expect(throws: DataError.feedFieldCount(expected: 2, found: 1)) {
            _ = try feeder.feed([ArraySample(try .int64([1], shape: [1]))])
        }
        #expect(throws: DataError.emptyBatch) { _ = try feeder.feed([LabeledImage]()) }
    }

    @Test func mixedSamplesInOneBatchAreReported() throws {
        let feeder = try DataFeeder(feedList: ["label"], program: Self.program(label: [-1, -1]))
        let batch = [ArraySample(try .int64([1, 2], shape: [2])), ArraySample(try .int64([1, 2, 3], shape: [3]))]
        #expect {
            _ = try feeder.feed(batch)
        } throws: { error in
            guard case .feedMismatch(let variable, let problem) = error as? DataError else { return false }
            return variable == "label" && problem.contains("sample 1")
        }
    }
}
