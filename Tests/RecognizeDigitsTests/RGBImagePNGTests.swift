import FluidData
import FluidTestSupport
import Foundation
import Testing

@testable import RecognizeDigits

/// 8-bit RGB images and their PNG encoding (FluidData), used by the plot.
@Suite struct RGBImagePNGTests {
    @Test func writtenImageDecodesToTheSameSamples() throws {
        let directory = try TemporaryDirectory()
        let image = try RGBImage(width: 13, height: 7, pixels: (0..<(13 * 7 * 3)).map { UInt8(($0 * 41) % 256) })
        let path = directory.file("rgb.png")
        try image.writePNG(to: path)
        let decoded = try DecodedPNG(contentsOf: path)
        #expect(decoded.width == 13 && decoded.height == 7 && decoded.channels == 3 && decoded.sourceColorType == .rgb)
        #expect(decoded.samples == image.pixels)
        #expect(try DecodedPNG(data: image.pngData()).samples == image.pixels)
        // The colour of pixel (2, 1) is samples 3 * (1 * 13 + 2) ...
        let i = 3 * (13 + 2)
        #expect(
            image[2, 1] == RGBImage.Color(red: image.pixels[i], green: image.pixels[i + 1], blue: image.pixels[i + 2]))
    }

    @Test func filledImagesAndPixelWrites() {
        var image = RGBImage(width: 3, height: 2, filledWith: RGBImage.Color(red: 1, green: 2, blue: 3))
        #expect(image.pixels == Array(repeating: [UInt8]([1, 2, 3]), count: 6).flatMap { $0 })
        image[2, 1] = .white
        #expect(
            Array(image.pixels.suffix(3)) == [255, 255, 255] && image[1, 1] == RGBImage.Color(red: 1, green: 2, blue: 3)
        )
        #expect(RGBImage(width: 0, height: -3, filledWith: .black).pixels == [0, 0, 0])
    }

    @Test func invalidSampleCountsAndPathsAreReported() throws {
        #expect(throws: DataError.self) {
            _ = try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 4))
        }
        #expect(throws: DataError.self) { _ = try RGBImage(width: 0, height: 2, pixels: []) }
        #expect(throws: DataError.self) { _ = try RGBImage(width: .max, height: 2, pixels: []) }
        let directory = try TemporaryDirectory()
        let path = directory.file("missing/x.png")
        #expect {
            try RGBImage(width: 1, height: 1, filledWith: .white).writePNG(to: path)
        } throws: { error in
            guard case .cannotWrite(let failed, _) = error as? DataError else { return false }
            return failed == path
        }
    }
}
