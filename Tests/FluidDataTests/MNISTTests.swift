import FluidData
import FluidTestSupport
import Foundation
import Testing

/// The real MNIST files that `Tools/fetch-mnist` installs, and Fashion-MNIST from Debian.
@Suite struct MNISTTests {
    /// The file's original uncompressed bytes: IDX header rebuilt from the parsed header, then the data.
    func originalBytes(_ file: IDXFile) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, file.elementType.rawValue, UInt8(file.dimensions.count)]
        for d in file.dimensions { bytes += withUnsafeBytes(of: UInt32(d).bigEndian) { Array($0) } }
        return bytes + file.data
    }

    @Test func trainingSetHasSixtyThousandDigitsInTheOriginalOrder() throws {
        let train = try RealData.mnistTrain.get()
        #expect(train.count == 60_000)
        #expect(train.rows == 28 && train.columns == 28)
        #expect(try (0..<10).map { try train[$0].label } == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    }

    @Test func testSetHasTenThousandDigits() throws {
        let test = try RealData.mnistTest.get()
        #expect(test.count == 10_000)
        #expect(try (0..<10).map { try test[$0].label } == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    }

    @Test(arguments: [
        ("train-images-idx3-ubyte.gz", "6bbc9ace898e44ae57da46a324031adb"),
        ("train-labels-idx1-ubyte.gz", "a25bea736e30d166cdddb491f175f624"),
        ("t10k-images-idx3-ubyte.gz", "2646ac647ad5339dbf082846283269ea"),
        ("t10k-labels-idx1-ubyte.gz", "27ae3e4e09519cfbb04c329615203637"),
    ])
    func filesMatchTheOriginalMD5(name: String, md5: String) throws {
        let file = try IDXFile(contentsOf: MNIST.directory + "/" + name)
        #expect(try md5sum(originalBytes(file)) == md5)
    }

    @Test func testPixelStatisticsMatchMNIST() throws {
        let test = try RealData.mnistTest.get()
        let total = test.pixels.withUnsafeBufferPointer { pixels in
            var sum = 0
            for i in pixels.indices { sum &+= Int(pixels[i]) }
            return sum
        }
        let mean = Double(total) / Double(test.pixels.count)
        #expect(abs(mean - 33.7912) < 0.001)
    }

    @Test func samplesArePreprocessedAsTheTutorial() throws {
        let sample = try RealData.mnistTest.get()[0]
        let image = sample.image
        #expect(image.count == 784)
        for (float, byte) in zip(image, sample.pixels) {
            #expect(float == Float(byte) / 255 * 2 - 1)
        }
        #expect(image.first == -1)
        #expect(image.max() == 1)
        #expect(
            sample.fieldLayouts == [
                FieldLayout(dtype: .float32, shape: [1, 28, 28]), FieldLayout(dtype: .int64, shape: [1]),
            ])
    }

    @Test func fashionMNISTLoadsFromTheDebianPackage() throws {
        let train = try RealData.fashionTrain.get()
        let test = try RealData.fashionTest.get()
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(try (0..<10).map { try train[$0].label } == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(try (0..<10).map { try test[$0].label } == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
    }

    @Test func missingDatasetNamesTheFetchCommand() throws {
        let empty = try TemporaryDirectory()
        #expect {
            _ = try MNIST.train(directory: empty.path)
        } throws: { error in
            guard let error = error as? DataError, case .datasetMissing(_, let directory, let file, let command) = error
            else { return false }
            return directory == empty.path && file == "train-images-idx3-ubyte.gz" && command == "Tools/fetch-mnist"
                && error.description.contains("Run `Tools/fetch-mnist`")
        }
        #expect(throws: DataError.self) { _ = try FashionMNIST.test(directory: empty.path) }
    }

    @Test func cacheDirectoryFollowsTheDocumentedDefault() {
        let expected =
            ProcessInfo.processInfo.environment["SWIFTFLUID_HOME"].map { $0 + "/dataset/mnist" }
            ?? NSHomeDirectory() + "/.cache/swiftfluid/dataset/mnist"
        #expect(MNIST.directory == expected)
    }

    @Test func anEmptyDirectoryNameIsRefusedInsteadOfReadingTheRoot() {
        for load in [{ try MNIST.train(directory: "") }, { try FashionMNIST.test(directory: "") }]
            as [() throws -> ImageDataset]
        {
            do {
                _ = try load()
                Issue.record("an empty directory name must be refused")
            } catch {
                #expect("\(error)".contains("an empty string is not a"), "\(error)")
            }
        }
    }
}
