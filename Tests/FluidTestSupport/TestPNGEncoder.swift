import CZlib

/// A minimal PNG encoder written for the tests, independent of libpng: every colour type
/// and bit depth, palettes with tRNS, Adam7 interlacing, filter type 0, zlib via CZlib.
public enum TestPNGEncoder {
    /// `samples` holds one value per channel per pixel, row-major, each below 2^bitDepth
    /// (palette images: one index per pixel).
    public static func encode(
        width: Int, height: Int, colorType: UInt8, bitDepth: Int, samples: [UInt16],
        palette: [(UInt8, UInt8, UInt8)] = [], transparency: [UInt8] = [],
        interlaced: Bool = false
    ) -> [UInt8] {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)] ?? 0
        precondition(channels > 0, "PNG has no colour type \(colorType)")
        precondition(
            samples.count == width * height * channels,
            "\(samples.count) samples for \(width) x \(height) x \(channels)")
        var raw: [UInt8] = []
        let passes: [(Int, Int, Int, Int)] =
            interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for (x0, y0, dx, dy) in passes {
            let columns = Array(stride(from: x0, to: width, by: dx))
            guard !columns.isEmpty else { continue }
            for y in stride(from: y0, to: height, by: dy) {
                raw.append(0)  // filter type None
                var values: [UInt16] = []
                for x in columns {
                    let base = (y * width + x) * channels
                    values += samples[base..<base + channels]
                }
                raw += pack(values, bitDepth: bitDepth)
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk(
            "IHDR",
            header(width: width, height: height, bitDepth: bitDepth, colorType: colorType, interlaced: interlaced))
        if !palette.isEmpty { png += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }) }
        if !transparency.isEmpty { png += chunk("tRNS", transparency) }
        png += chunk("IDAT", deflate(raw))
        png += chunk("IEND", [])
        return png
    }

    public static func header(width: Int, height: Int, bitDepth: Int, colorType: UInt8, interlaced: Bool = false)
        -> [UInt8]
    {
        bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), colorType, 0, 0, interlaced ? 1 : 0]
    }

    public static func pack(_ values: [UInt16], bitDepth: Int) -> [UInt8] {
        switch bitDepth {
        case 16: return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return values.map { UInt8($0) }
        default:
            var bytes: [UInt8] = []
            var current: UInt8 = 0
            var used = 0
            for value in values {
                current |= UInt8(value) << UInt8(8 - bitDepth - used)
                used += bitDepth
                if used == 8 {
                    bytes.append(current)
                    current = 0
                    used = 0
                }
            }
            if used > 0 { bytes.append(current) }
            return bytes
        }
    }

    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        let crc = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc)
    }

    public static func deflate(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(UInt(data.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&output, &size, data, UInt(data.count), 6)
        precondition(status == Z_OK)
        return Array(output[0..<Int(size)])
    }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
