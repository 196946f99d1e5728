import CPNGShim
import Foundation

extension RGBImage {
    /// The image encoded as an 8-bit RGB PNG (by libpng).
    ///
    /// ```swift
    /// let bytes = try RGBImage(width: 1, height: 1, pixels: [255, 128, 0]).pngData()
    /// ```
    public func pngData() throws -> [UInt8] {
        guard let columns = UInt32(exactly: width), let rows = UInt32(exactly: height) else {
            throw DataError.cannotWrite(path: "<png>", reason: "a \(width) x \(height) image is larger than PNG allows")
        }
        var message = [CChar](repeating: 0, count: 512)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = pixels.withUnsafeBufferPointer { source in
            fluid_png_encode_rgb8(source.baseAddress, columns, rows, &output, &size, &message, message.count)
        }
        defer { fluid_png_buffer_free(output) }
        guard Int(status) == FLUID_PNG_OK, let output else {
            let problem = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError.cannotWrite(path: "<png>", reason: "libpng could not encode the image (\(problem))")
        }
        return [UInt8](UnsafeBufferPointer(start: output, count: size))
    }

    /// Writes the image as an 8-bit RGB PNG file, atomically: the bytes go to a temporary
    /// file in the same directory, which then replaces `path`, so readers never see a
    /// partial file. Errors are `DataError.cannotWrite` naming `path`.
    ///
    /// ```swift
    /// try plot.render().writePNG(to: "train_cost.png")
    /// ```
    public func writePNG(to path: String) throws {
        let data: [UInt8]
        do {
            data = try pngData()
        } catch DataError.cannotWrite(_, let reason) {
            throw DataError.cannotWrite(path: path, reason: reason)
        }
        try writeAtomically(Data(data), to: path)
    }
}
