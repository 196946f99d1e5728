import CPNGShim
import Foundation

/// The one path from 8-bit pixels to PNG bytes and files, through libpng, that `GrayImage` and
/// `RGBImage` share.
enum PNGEncoder {
    enum Layout { case gray, rgb }

    /// `pixels` (1 or 3 samples a pixel, rows top to bottom) as a PNG.
    static func encode(_ pixels: [UInt8], width: Int, height: Int, layout: Layout) throws -> [UInt8] {
        guard let columns = UInt32(exactly: width), let rows = UInt32(exactly: height) else {
            throw DataError.cannotWrite(path: "<png>", reason: "a \(width) x \(height) image is larger than PNG allows")
        }
        var message = [CChar](repeating: 0, count: 512)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = pixels.withUnsafeBufferPointer { source in
            switch layout {
            case .gray:
                fluid_png_encode_gray8(source.baseAddress, columns, rows, &output, &size, &message, message.count)
            case .rgb: fluid_png_encode_rgb8(source.baseAddress, columns, rows, &output, &size, &message, message.count)
            }
        }
        defer { fluid_png_buffer_free(output) }
        guard Int(status) == FLUID_PNG_OK, let output else {
            let problem = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError.cannotWrite(path: "<png>", reason: "libpng could not encode the image (\(problem))")
        }
        return [UInt8](UnsafeBufferPointer(start: output, count: size))
    }

    /// Encodes with `encode` and writes the bytes to `path` atomically; errors name `path`.
    static func write(to path: String, _ encode: () throws -> [UInt8]) throws {
        let data: [UInt8]
        do {
            data = try encode()
        } catch DataError.cannotWrite(_, let reason) {
            throw DataError.cannotWrite(path: path, reason: reason)
        }
        try writeAtomically(Data(data), to: path)
    }
}
