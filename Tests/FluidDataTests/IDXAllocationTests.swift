import FluidData
import FluidTestSupport
import Foundation
import Testing

/// IDX headers that claim far more than the file holds are refused before a buffer of the
/// claimed size is reserved; an image file and its label file are checked against each other
/// before the bulk of either is read.
@Suite struct IDXAllocationTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    static func header(_ dimensions: [Int], type: UInt8 = 0x08) -> [UInt8] {
        IDXTestFiles.bytes(type: type, dimensions: dimensions)
    }

    /// A ~150-byte file (plain or gzip) whose header claims 5,000,000 images of 28 x 28
    /// (3.9 GB): a truncation error naming the file, with no gigabyte reservation first.
    @Test(arguments: [false, true])
    func tinyFileClaimingFiveMillionImagesIsTruncated(compressed: Bool) throws {
        let bytes = Self.header([5_000_000, 28, 28]) + [UInt8](repeating: 7, count: 134)
        let path = compressed ? try directory.writeGzip("claims-5m.gz", bytes) : try directory.write("claims-5m", bytes)
        let virtualBefore = ProcessMemory.peakVirtualBytes
        let started = ContinuousClock.now
        #expect {
            _ = try IDXFile(contentsOf: path)
        } throws: { error in
            guard let error = error as? DataError, case .truncated(let at, _, let expected, let found) = error else {
                return false
            }
            return at == path && expected == 16 + 5_000_000 * 784 && found == 150
        }
        let reserved = ProcessMemory.peakVirtualBytes - virtualBefore
        #expect(reserved < 2 << 30, "peak virtual size grew by \(reserved >> 20) MiB reading a 150-byte file")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    /// An image stream claiming 2,000,000 images beside a label file claiming 10: the count
    /// mismatch is found from the two headers, before the images' bulk is decompressed (here
    /// it is short, so reading it first would report a truncation instead).
    @Test func imageAndLabelCountsAreComparedBeforeTheBulkIsRead() throws {
        let images = try directory.writeGzip(
            "bomb-images.gz", Self.header([2_000_000, 28, 28]) + [UInt8](repeating: 0, count: 1 << 20))
        let labels = try directory.writeGzip("ten-labels.gz", Self.header([10]) + [UInt8](repeating: 1, count: 10))
        let expected = DataError.countMismatch(
            imagesPath: images, imageCount: 2_000_000, labelsPath: labels, labelCount: 10)
        #expect(throws: expected) { _ = try ImageDataset(name: "bomb", imagesFile: images, labelsFile: labels) }
        #expect(throws: expected) { _ = try InferenceImages(imagesFile: images, labelsFile: labels) }
    }

    /// A gzip stream cannot be sized before it is read: a claim it could hold (1.6 MB of
    /// incompressible bytes may inflate to 1.6 GB) is held to FluidLimits.maxIDXBytes up front.
    @Test func compressedClaimAboveTheLimitIsRefusedNamingTheLimit() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = (0..<1_600_000).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let path = try directory.writeGzip("claims-2m.gz", Self.header([2_000_000, 28, 28]) + noise)
        #expect {
            _ = try IDXFile(contentsOf: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("FluidLimits.maxIDXBytes")
        }
    }

    /// Data that arrives in pieces larger than the growth step still reads exactly.
    @Test func compressedDataLargerThanOneChunkReadsBack() throws {
        let pixels = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let path = try directory.writeGzip("three-mib.gz", Self.header([3 * 1024, 32, 32]) + pixels)
        let file = try IDXFile(contentsOf: path)
        #expect(file.dimensions == [3 * 1024, 32, 32])
        #expect(file.data == pixels)
    }
}
