import FluidTestSupport
import Testing

/// One way to store a 28 x 28 gray digit as a PNG: a colour type, a bit depth and a size the
/// digit is enlarged to by nearest neighbour. Every variant keeps the gray levels as PIL's
/// `convert('L')` would read them back (colour channels equal, alpha opaque), up to the
/// quantisation of low bit depths.
struct DigitPNG: Sendable, CustomTestStringConvertible {
    let colorType: UInt8
    let bitDepth: Int
    let width: Int
    let height: Int
    var interlaced = false

    /// Decoding and resizing give back exactly the original 28 x 28 pixels.
    var isExact: Bool { width == 28 && height == 28 && bitDepth >= 8 }

    var testDescription: String {
        let kind =
            [0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"][Int(colorType)] ?? "type \(colorType)"
        return "\(kind) \(bitDepth)-bit \(width)x\(height)\(interlaced ? " interlaced" : "")"
    }

    static let all: [DigitPNG] = [
        DigitPNG(colorType: 0, bitDepth: 8, width: 28, height: 28),
        DigitPNG(colorType: 0, bitDepth: 16, width: 28, height: 28),
        DigitPNG(colorType: 0, bitDepth: 4, width: 28, height: 28),
        DigitPNG(colorType: 0, bitDepth: 1, width: 56, height: 56),
        DigitPNG(colorType: 0, bitDepth: 8, width: 56, height: 56, interlaced: true),
        DigitPNG(colorType: 2, bitDepth: 8, width: 56, height: 56),
        DigitPNG(colorType: 2, bitDepth: 16, width: 100, height: 80),
        DigitPNG(colorType: 6, bitDepth: 8, width: 28, height: 28),
        DigitPNG(colorType: 3, bitDepth: 8, width: 28, height: 28),
        DigitPNG(colorType: 3, bitDepth: 4, width: 56, height: 56),
        DigitPNG(colorType: 4, bitDepth: 8, width: 100, height: 80),
    ]

    /// The PNG file of `gray` (28 x 28, row-major).
    func encode(_ gray: [UInt8]) -> [UInt8] {
        let enlarged = (0..<height).flatMap { y in
            (0..<width).map { x in gray[(y * 28 / height) * 28 + x * 28 / width] }
        }
        let full = UInt16((1 << bitDepth) - 1)
        // A gray level at the file's bit depth: 8 bits repeated for 16 (so its high byte is
        // the level), the top bits for fewer.
        func level(_ v: UInt8) -> UInt16 {
            bitDepth == 16 ? UInt16(v) * 257 : UInt16(v) >> (8 - bitDepth)
        }
        var palette: [(UInt8, UInt8, UInt8)] = []
        let samples: [UInt16]
        switch colorType {
        case 0: samples = enlarged.map(level)
        case 2: samples = enlarged.flatMap { [level($0), level($0), level($0)] }
        case 3:
            let entries = 1 << bitDepth
            palette = (0..<entries).map { i in
                let v = UInt8(i * 255 / (entries - 1))
                return (v, v, v)
            }
            samples = enlarged.map(level)
        case 4: samples = enlarged.flatMap { [level($0), full] }
        default: samples = enlarged.flatMap { [level($0), level($0), level($0), full] }
        }
        return TestPNGEncoder.encode(
            width: width, height: height, colorType: colorType, bitDepth: bitDepth,
            samples: samples, palette: palette, interlaced: interlaced)
    }
}
