import FluidData
import FluidTestSupport
import Foundation
import Testing

/// Broken or hostile PNG files give clear errors naming the file, never a crash.
@Suite struct PNGErrorTests {
    let directory: TemporaryDirectory
    let good: [UInt8]

    init() throws {
        directory = try TemporaryDirectory()
        let samples = (0..<(40 * 30)).map { UInt16(($0 * 7) % 256) }
        good = TestPNGEncoder.encode(width: 40, height: 30, colorType: 0, bitDepth: 8, samples: samples)
    }

    func expectPNGError(_ bytes: [UInt8], name: String, _ check: (DataError) -> Bool) throws {
        let path = try directory.write(name, bytes)
        #expect {
            _ = try GrayImage(contentsOfPNG: path)
        } throws: { error in
            guard let error = error as? DataError else { return false }
            return check(error) && error.description.contains(path)
        }
    }

    @Test func goodFileDecodes() throws {
        let path = try directory.write("good.png", good)
        #expect(try GrayImage(contentsOfPNG: path).pixels.count == 1200)
    }

    @Test func truncatedFile() throws {
        try expectPNGError(Array(good[0..<(good.count - 40)]), name: "truncated.png") { error in
            guard case .invalidPNG(_, let problem) = error else { return false }
            return problem.contains("truncated") || problem.contains("ends")
        }
        try expectPNGError(Array(good[0..<20]), name: "header-only.png") {
            if case .invalidPNG = $0 { true } else { false }
        }
    }

    @Test func badCRC() throws {
        var corrupt = good
        corrupt[29] ^= 0x01  // last byte of the IHDR chunk's CRC
        try expectPNGError(corrupt, name: "bad-crc.png") { error in
            guard case .invalidPNG(_, let problem) = error else { return false }
            return problem.contains("CRC")
        }
        var corruptData = good
        corruptData[45] ^= 0xFF  // inside the IDAT chunk
        try expectPNGError(corruptData, name: "bad-idat.png") { if case .invalidPNG = $0 { true } else { false } }
    }

    @Test func emptyFile() throws {
        try expectPNGError([], name: "empty.png") { error in
            guard case .invalidPNG(_, let problem) = error else { return false }
            return problem.contains("empty")
        }
    }

    @Test func nonPNGFile() throws {
        try expectPNGError(Array("hello, this is text\n".utf8), name: "text.png") { error in
            guard case .invalidPNG(_, let problem) = error else { return false }
            return problem.contains("signature")
        }
    }

    @Test func hugeHeaderIsRefusedBeforeAllocating() throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let huge =
            signature
            + TestPNGEncoder.chunk(
                "IHDR", TestPNGEncoder.header(width: 2_000_000, height: 2_000_000, bitDepth: 8, colorType: 6))
            + TestPNGEncoder.chunk("IDAT", TestPNGEncoder.deflate([0, 1, 2, 3]))
            + TestPNGEncoder.chunk("IEND", [])
        try expectPNGError(huge, name: "huge.png") {
            $0 == .imageTooLarge(path: directory.file("huge.png"), width: 2_000_000, height: 2_000_000, limit: 16384)
        }
        let wide =
            signature
            + TestPNGEncoder.chunk("IHDR", TestPNGEncoder.header(width: 16385, height: 1, bitDepth: 8, colorType: 0))
            + TestPNGEncoder.chunk("IDAT", TestPNGEncoder.deflate([0, 1, 2, 3]))
            + TestPNGEncoder.chunk("IEND", [])
        try expectPNGError(wide, name: "wide.png") { if case .imageTooLarge = $0 { true } else { false } }
        // Within the side limit, but 16384 x 8193 pixels is more than 16384^2 / 4 in all.
        let large =
            signature
            + TestPNGEncoder.chunk("IHDR", TestPNGEncoder.header(width: 16384, height: 8193, bitDepth: 8, colorType: 6))
            + TestPNGEncoder.chunk("IDAT", TestPNGEncoder.deflate([0, 1, 2, 3]))
            + TestPNGEncoder.chunk("IEND", [])
        try expectPNGError(large, name: "large.png") {
            $0 == .imageTooLarge(path: directory.file("large.png"), width: 16384, height: 8193, limit: 16384)
        }
    }

    @Test func missingFile() {
        let path = directory.file("absent.png")
        #expect(throws: DataError.fileNotFound(path: path)) { _ = try GrayImage(contentsOfPNG: path) }
    }

    @Test func directoryInsteadOfAFile() throws {
        let path = directory.file("folder.png")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: DataError.cannotRead(path: path, reason: "it is a directory")) {
            _ = try GrayImage(contentsOfPNG: path)
        }
    }
}
