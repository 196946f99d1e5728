import FluidData
import FluidTestSupport
import Foundation
import Testing

/// Writing 8-bit gray PNGs, atomically, and reading them back.
@Suite struct PNGWriterTests {
    @Test func writtenImageDecodesToTheSamePixels() throws {
        let directory = try TemporaryDirectory()
        let image = try GrayImage(width: 31, height: 17, pixels: (0..<(31 * 17)).map { UInt8(($0 * 37) % 256) })
        let path = directory.file("plot.png")
        try image.writePNG(to: path)
        let decoded = try DecodedPNG(contentsOf: path)
        #expect(decoded.sourceColorType == .gray && decoded.sourceBitDepth == 8 && decoded.channels == 1)
        #expect(decoded.grayscale() == image)

        // Overwriting replaces the file, and no temporary file is left behind.
        let other = try GrayImage(width: 2, height: 2, pixels: [0, 64, 128, 255])
        try other.writePNG(to: path)
        #expect(try GrayImage(contentsOfPNG: path) == other)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plot.png"])
    }

    @Test func unwritablePathIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("no/such/dir/x.png")
        let image = try GrayImage(width: 1, height: 1, pixels: [3])
        #expect {
            try image.writePNG(to: path)
        } throws: { error in
            guard case .cannotWrite(let failed, _) = error as? DataError else { return false }
            return failed == path
        }
    }

    @Test func invalidPixelCountIsReported() {
        #expect(throws: DataError.self) { _ = try GrayImage(width: 3, height: 3, pixels: [1, 2]) }
        #expect(throws: DataError.self) { _ = try GrayImage(width: 0, height: 3, pixels: []) }
    }
}

/// Sample digits for the README's inference example, and the tutorial's load_image.
@Suite struct SampleDigitTests {
    @Test func writesRealTestDigitsThatReadBackExactly() throws {
        let test = try RealData.mnistTest.get()
        let directory = try TemporaryDirectory()
        let paths = try writeSampleDigits(to: directory.path, count: 10, from: test)
        #expect(paths == (0..<10).map { directory.file("infer_\($0).png") })

        // infer_7.png is test image 0 (label 7); read as the tutorial does, it is that sample exactly.
        let tensor = try DigitImage.tensor(contentsOfPNG: directory.file("infer_7.png"))
        #expect(tensor.shape == [1, 1, 28, 28])
        #expect(try tensor.scalars(as: Float.self) == test[0].image)
        let three = try #require(test.labels.firstIndex(of: 3))
        #expect(try GrayImage(contentsOfPNG: directory.file("infer_3.png")).pixels == Array(test[three].pixels))
    }

    @Test func loadImageConvertsResizesAndNormalizes() throws {
        let directory = try TemporaryDirectory()
        // A 56 x 56 RGB picture of one colour becomes 28 x 28 of its luma, normalised.
        let samples = (0..<(56 * 56)).flatMap { _ -> [UInt16] in [12, 200, 99] }
        let path = try directory.write(
            "big.png", TestPNGEncoder.encode(width: 56, height: 56, colorType: 2, bitDepth: 8, samples: samples))
        let pixels = try DigitImage.normalizedPixels(contentsOfPNG: path)
        #expect(pixels.count == 784)
        #expect(pixels.allSatisfy { $0 == Float(132) / 255 * 2 - 1 })
    }
}
