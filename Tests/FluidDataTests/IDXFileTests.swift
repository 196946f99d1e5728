import FluidData
import FluidTestSupport
import Foundation
import Testing

/// IDX files made in the test: the reader must accept good ones and name what is wrong with bad ones.
@Suite struct IDXFileTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    static func idx(type: UInt8 = 0x08, dimensions: [Int], data: [UInt8]) -> [UInt8] {
        IDXTestFiles.bytes(type: type, dimensions: dimensions, data: data)
    }

    func expectError(_ path: String, matching check: (DataError) -> Bool) {
        #expect {
            _ = try IDXFile(contentsOf: path)
        } throws: { error in
            guard let error = error as? DataError else { return false }
            return check(error) && error.description.contains(path)
        }
    }

    @Test func readsPlainAndCompressedFiles() throws {
        let bytes = Self.idx(dimensions: [2, 2, 3], data: Array(0..<12))
        for path in [try directory.write("plain-idx3", bytes), try directory.writeGzip("packed-idx3.gz", bytes)] {
            let file = try IDXFile(contentsOf: path)
            #expect(file.elementType == .uint8)
            #expect(file.dimensions == [2, 2, 3])
            #expect(file.data == Array(0..<12))
        }
    }

    @Test func truncatedHeaderIsReported() throws {
        let full = Self.idx(dimensions: [2, 28, 28], data: [])
        let path = try directory.write("short-header", Array(full[0..<10]))
        expectError(path) {
            $0 == .truncated(path: path, part: "header of 3 dimensions", expectedBytes: 16, foundBytes: 10)
        }
        let tiny = try directory.write("two-bytes", [0, 0])
        expectError(tiny) { $0 == .truncated(path: tiny, part: "magic number", expectedBytes: 4, foundBytes: 2) }
    }

    @Test func truncatedDataIsReportedWithByteCounts() throws {
        let bytes = Self.idx(dimensions: [10], data: Array(0..<7))
        let path = try directory.write("short-labels", bytes)
        expectError(path) {
            $0 == .truncated(path: path, part: "data for dimensions [10]", expectedBytes: 18, foundBytes: 15)
        }
        let gz = try directory.writeGzip("short-labels.gz", bytes)
        expectError(gz) {
            $0 == .truncated(path: gz, part: "data for dimensions [10]", expectedBytes: 18, foundBytes: 15)
        }
        #expect(
            DataError.truncated(path: "f", part: "data", expectedBytes: 18, foundBytes: 15).description
                == "File 'f' is truncated: its data needs 18 bytes, found 15.")
    }

    @Test func truncatedGzipStreamIsReported() throws {
        let bytes = Self.idx(dimensions: [4000], data: (0..<4000).map { UInt8(truncatingIfNeeded: $0 * 7919 >> 3) })
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.writeGzip("whole.gz", bytes))))
        let path = try directory.write("cut.gz", Array(whole[0..<whole.count / 2]))
        expectError(path) { error in
            if case .invalidFile(_, let problem) = error { return problem.contains("ends early") }
            if case .truncated = error { return true }
            return false
        }
    }

    @Test func corruptGzipIsReported() throws {
        let bytes = Self.idx(dimensions: [4000], data: (0..<4000).map { UInt8(truncatingIfNeeded: $0 * 31) })
        var packed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.writeGzip("good.gz", bytes))))
        packed[packed.count - 6] ^= 0xFF  // the CRC-32 in the gzip trailer
        let path = try directory.write("bad-crc.gz", packed)
        expectError(path) { error in
            if case .invalidFile(_, let problem) = error { return problem.contains("corrupt") }
            return false
        }
    }

    @Test func wrongMagicIsReported() throws {
        let path = try directory.write("not-idx", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1, 5])
        expectError(path) { error in
            if case .invalidFile(_, let problem) = error { return problem.contains("0x89 0x50 0x4E 0x47") }
            return false
        }
        let badType = try directory.write("bad-type", [0, 0, 0x07, 1, 0, 0, 0, 1, 5])
        expectError(badType) { error in
            if case .invalidFile(_, let problem) = error { return problem.contains("0x7") }
            return false
        }
    }

    @Test func trailingBytesAreReported() throws {
        let path = try directory.write("long", Self.idx(dimensions: [3], data: [1, 2, 3, 4]))
        expectError(path) { error in
            if case .invalidFile(_, let problem) = error { return problem.contains("more than the 11 bytes") }
            return false
        }
    }

    @Test func missingFileIsReported() {
        let path = directory.file("absent.gz")
        expectError(path) { $0 == .fileNotFound(path: path) }
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let images = try directory.write(
            "images", Self.idx(dimensions: [3, 2, 2], data: Array(repeating: 9, count: 12)))
        let labels = try directory.write("labels", Self.idx(dimensions: [2], data: [1, 2]))
        #expect(throws: DataError.countMismatch(imagesPath: images, imageCount: 3, labelsPath: labels, labelCount: 2)) {
            _ = try ImageDataset(name: "tiny", imagesFile: images, labelsFile: labels)
        }
        let goodLabels = try directory.write("labels3", Self.idx(dimensions: [3], data: [1, 2, 3]))
        let dataset = try ImageDataset(name: "tiny", imagesFile: images, labelsFile: goodLabels)
        #expect(dataset.count == 3 && dataset.rows == 2 && dataset.columns == 2)
        #expect(try dataset[2].label == 3)
        let badLabels = try directory.write("labels-big", Self.idx(dimensions: [3], data: [1, 2, 12]))
        #expect(throws: DataError.self) {
            _ = try ImageDataset(name: "tiny", imagesFile: images, labelsFile: badLabels)
        }
    }
}
