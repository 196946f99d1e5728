import CPNGShim
import Foundation

extension GrayImage {
    /// The image encoded as an 8-bit gray PNG (by libpng).
    ///
    /// ```swift
    /// let bytes = try GrayImage(width: 2, height: 1, pixels: [0, 255]).pngData()
    /// ```
    public func pngData() throws -> [UInt8] {
        var message = [CChar](repeating: 0, count: 512)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = pixels.withUnsafeBufferPointer { source in
            fluid_png_encode_gray8(source.baseAddress, UInt32(width), UInt32(height), &output, &size, &message, message.count)
        }
        defer { fluid_png_buffer_free(output) }
        guard Int(status) == FLUID_PNG_OK, let output else {
            let problem = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError.cannotWrite(path: "<png>", reason: "libpng could not encode the image (\(problem))")
        }
        return [UInt8](UnsafeBufferPointer(start: output, count: size))
    }

    /// Writes the image as an 8-bit gray PNG file, atomically: the bytes go to a temporary
    /// file in the same directory, which then replaces `path`, so readers never see a
    /// partial file.
    ///
    /// ```swift
    /// try digit.writePNG(to: "infer_3.png")
    /// ```
    public func writePNG(to path: String) throws {
        let data: [UInt8]
        do {
            data = try pngData()
        } catch DataError.cannotWrite(_, let reason) {
            throw DataError.cannotWrite(path: path, reason: reason)
        }
        do {
            try Data(data).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}
