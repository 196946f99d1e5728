import FluidData
import FluidTestSupport
import Testing

/// PNGs written by the test's own encoder, in every colour type and bit depth, must decode
/// to the expected gray pixels (PIL's convert('L')).
@Suite struct PNGDecodeTests {
    static let width = 13, height = 7

    /// PIL's ITU-R 601-2 luma with its rounding (Convert.c, L24).
    static func luma(_ r: Int, _ g: Int, _ b: Int) -> UInt8 {
        UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
    }

    /// A deterministic sample value for pixel i, channel c, below 2^bits.
    static func value(_ i: Int, _ c: Int, bits: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: (i &* 2_654_435_761 &+ c &* 40_503) >> 7) & UInt16((1 << bits) - 1)
    }

    static func decode(_ png: [UInt8]) throws -> (DecodedPNG, GrayImage) {
        let decoded = try DecodedPNG(data: png)
        return (decoded, decoded.grayscale())
    }

    static let cases: [(interlaced: Bool, bits: Int)] = [false, true].flatMap { i in [1, 2, 4, 8, 16].map { (i, $0) } }

    @Test(arguments: cases)
    func grayOfEveryDepth(interlaced: Bool, bits: Int) throws {
        let count = Self.width * Self.height
        let samples = (0..<count).map { Self.value($0, 0, bits: bits) }
        let png = TestPNGEncoder.encode(
            width: Self.width, height: Self.height, colorType: 0, bitDepth: bits,
            samples: samples, interlaced: interlaced)
        let (decoded, gray) = try Self.decode(png)
        #expect(
            decoded.sourceColorType == .gray && decoded.sourceBitDepth == bits && decoded.isInterlaced == interlaced)
        #expect(gray.width == Self.width && gray.height == Self.height)
        let expected: [UInt8] = samples.map { v in
            bits == 16 ? UInt8(v >> 8) : UInt8(Int(v) * 255 / ((1 << bits) - 1))
        }
        #expect(gray.pixels == expected)
    }

    @Test(arguments: [false, true], [8, 16])
    func colourWithAndWithoutAlpha(interlaced: Bool, bits: Int) throws {
        let count = Self.width * Self.height
        for (colorType, channels) in [(UInt8(2), 3), (UInt8(6), 4), (UInt8(4), 2)] {
            let samples = (0..<count).flatMap { i in (0..<channels).map { Self.value(i, $0, bits: bits) } }
            let png = TestPNGEncoder.encode(
                width: Self.width, height: Self.height, colorType: colorType, bitDepth: bits,
                samples: samples, interlaced: interlaced)
            let (decoded, gray) = try Self.decode(png)
            #expect(decoded.channels == channels)
            let high = samples.map { Int(bits == 16 ? $0 >> 8 : $0) }
            let expected: [UInt8] = (0..<count).map { i in
                let p = i * channels
                return channels == 2 ? UInt8(high[p]) : Self.luma(high[p], high[p + 1], high[p + 2])
            }
            #expect(gray.pixels == expected, "colour type \(colorType), \(bits) bits, interlaced \(interlaced)")
        }
    }

    @Test(arguments: [false, true], [1, 2, 4, 8])
    func palettesWithAndWithoutTransparency(interlaced: Bool, bits: Int) throws {
        let entries = min(1 << bits, 200)
        let palette = (0..<entries).map { e in
            (
                UInt8(truncatingIfNeeded: e * 37 + 11), UInt8(truncatingIfNeeded: e * 91 + 3),
                UInt8(truncatingIfNeeded: e * 13 + 200)
            )
        }
        let count = Self.width * Self.height
        let indices = (0..<count).map { UInt16(Int(Self.value($0, 0, bits: 8)) % entries) }
        for transparency in [[], (0..<entries).map { UInt8(truncatingIfNeeded: $0 * 50) }] {
            let png = TestPNGEncoder.encode(
                width: Self.width, height: Self.height, colorType: 3, bitDepth: bits,
                samples: indices, palette: palette, transparency: transparency,
                interlaced: interlaced)
            let (decoded, gray) = try Self.decode(png)
            #expect(decoded.sourceColorType == .palette)
            #expect(decoded.channels == (transparency.isEmpty ? 3 : 4))
            let expected = indices.map { i in
                let (r, g, b) = palette[Int(i)]
                return Self.luma(Int(r), Int(g), Int(b))
            }
            #expect(gray.pixels == expected, "palette of \(bits) bits, tRNS \(!transparency.isEmpty)")
        }
    }

    @Test func grayWithTransparencyKeyKeepsItsValues() throws {
        var png = TestPNGEncoder.encode(width: 3, height: 1, colorType: 0, bitDepth: 8, samples: [0, 128, 255])
        let iend = png.count - 12
        png.insert(contentsOf: TestPNGEncoder.chunk("tRNS", [0, 128]), at: iend)
        #expect(try Self.decode(png).1.pixels == [0, 128, 255])
    }

    @Test func lumaMatchesPILOnKnownColours() throws {
        // Values PIL 13 gives for Image.convert('L') of these RGB pixels.
        let samples: [UInt16] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 200, 99]
        let png = TestPNGEncoder.encode(width: 4, height: 1, colorType: 2, bitDepth: 8, samples: samples)
        #expect(try Self.decode(png).1.pixels == [76, 150, 29, 132])
    }
}
