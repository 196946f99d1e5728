import CPNGShim
import Fluid
import Foundation

/// A PNG decoded by libpng to 8-bit samples: gray, gray+alpha, RGB or RGBA (palettes are
/// expanded to RGB, or RGBA when they carry transparency; 1/2/4-bit gray is scaled to
/// 0...255; 16-bit samples keep their high byte; interlaced files are de-interlaced).
///
/// What a file may claim is bounded by `FluidLimits` before anything is allocated for it: the
/// file's size (`maxImageFileBytes`), each chunk other than IDAT (`maxPNGChunkBytes`: a text
/// chunk whose length field claims 2 GiB is refused, as is a real 9 MB one), the width and
/// height (`maxImageSide`, `maxImagePixels`) and the decoded samples (`maxImageBytes`).
/// libpng's errors (bad CRC, truncated data, corrupt streams) become `DataError.invalidPNG`
/// naming the file.
///
/// ```swift
/// let png = try DecodedPNG(contentsOf: "digit.png")
/// let gray = png.grayscale()   // as PIL's convert('L')
/// ```
public struct DecodedPNG: Sendable {
    /// The colour types of the PNG specification.
    public enum ColorType: Int, Sendable {
        case gray = 0
        case rgb = 2
        case palette = 3
        case grayAlpha = 4
        case rgba = 6
    }

    /// The largest width or height decoded: `FluidLimits.maxImageSide` (16,384 unless raised).
    public static var maximumSide: Int { FluidLimits.maxImageSide }

    /// The `FluidLimits` a decode checks, read once per decode.
    struct Limits {
        var side = FluidLimits.maxImageSide
        var pixels = FluidLimits.maxImagePixels
        var decodedBytes = FluidLimits.maxImageBytes
        var chunkBytes = FluidLimits.maxPNGChunkBytes

        /// The same, clamped to what the C types hold.
        var shim: fluid_png_limits {
            fluid_png_limits(
                max_side: UInt32(clamping: side), max_pixels: UInt64(clamping: pixels),
                max_decoded_bytes: UInt64(clamping: decodedBytes), max_chunk_bytes: UInt32(clamping: chunkBytes))
        }
    }

    public let width: Int
    public let height: Int
    /// Samples per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// `width * height * channels` bytes, rows top to bottom.
    public let samples: [UInt8]
    /// The file's bit depth (1, 2, 4, 8 or 16).
    public let sourceBitDepth: Int
    public let sourceColorType: ColorType
    public let isInterlaced: Bool

    /// Reads and decodes the PNG file at `path`.
    public init(contentsOf path: String) throws {
        try self.init(data: try Self.readFile(path), path: path)
    }

    /// Decodes PNG bytes; `path` names them in errors.
    public init(data: [UInt8], path: String = "<memory>") throws {
        try self.init(data: data, path: path, limits: Limits())
    }

    init(data: [UInt8], path: String, limits: Limits) throws {
        var image = fluid_png_image()
        var message = [CChar](repeating: 0, count: 512)
        var shimLimits = limits.shim
        let status = data.withUnsafeBufferPointer { bytes in
            fluid_png_decode(bytes.baseAddress, bytes.count, &shimLimits, &image, &message, message.count)
        }
        defer { fluid_png_image_free(&image) }
        let problem = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case FLUID_PNG_OK:
            break
        case FLUID_PNG_TOO_LARGE:
            throw DataError.imageTooLarge(
                path: path, width: Int(image.width), height: Int(image.height), limit: limits.side)
        case FLUID_PNG_CHUNK_TOO_LARGE:
            throw DataError.limitExceeded(
                path: path, problem: problem, limit: .maxPNGChunkBytes, value: limits.chunkBytes)
        case FLUID_PNG_DECODED_TOO_LARGE:
            throw DataError.limitExceeded(
                path: path, problem: problem, limit: .maxImageBytes, value: limits.decodedBytes)
        default:
            throw DataError.invalidPNG(path: path, problem: problem.isEmpty ? "libpng gave no reason" : problem)
        }
        guard let colorType = ColorType(rawValue: Int(image.source_color_type)), let samples = image.samples else {
            throw DataError.invalidPNG(
                path: path, problem: "libpng returned colour type \(image.source_color_type) without samples")
        }
        width = Int(image.width)
        height = Int(image.height)
        channels = Int(image.channels)
        self.samples = [UInt8](UnsafeBufferPointer(start: samples, count: width * height * channels))
        sourceBitDepth = Int(image.source_bit_depth)
        sourceColorType = colorType
        isInterlaced = image.interlaced != 0
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw DataError.cannotRead(path: path, reason: "it is a directory") }
        let limit = FluidLimits.maxImageFileBytes
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        if let size, size > limit {
            throw DataError.limitExceeded(
                path: path, problem: "it is \(size) bytes", limit: .maxImageFileBytes, value: limit)
        }
        // Foundation's reader leaks a page on an empty file; an empty file is no PNG either way.
        if size == 0 { return [] }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DataError.cannotRead(path: path, reason: error.localizedDescription)
        }
    }
}
