import CPNGShim
import Foundation

/// A PNG decoded by libpng to 8-bit samples: gray, gray+alpha, RGB or RGBA (palettes are
/// expanded to RGB, or RGBA when they carry transparency; 1/2/4-bit gray is scaled to
/// 0...255; 16-bit samples keep their high byte; interlaced files are de-interlaced).
///
/// Headers claiming more than `maximumSide` pixels in width or height, or more than a quarter
/// of `maximumSide` squared in all, are refused before
/// any pixel memory is allocated. libpng's errors (bad CRC, truncated data, corrupt
/// streams) become `DataError.invalidPNG` naming the file.
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

    /// The largest width or height decoded (16,384).
    public static let maximumSide = 16384

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
        var image = fluid_png_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBufferPointer { bytes in
            fluid_png_decode(bytes.baseAddress, bytes.count, UInt32(Self.maximumSide), &image, &message, message.count)
        }
        defer { fluid_png_image_free(&image) }
        let problem = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case FLUID_PNG_OK:
            break
        case FLUID_PNG_TOO_LARGE:
            throw DataError.imageTooLarge(path: path, width: Int(image.width), height: Int(image.height), limit: Self.maximumSide)
        default:
            throw DataError.invalidPNG(path: path, problem: problem.isEmpty ? "libpng gave no reason" : problem)
        }
        guard let colorType = ColorType(rawValue: Int(image.source_color_type)), let samples = image.samples else {
            throw DataError.invalidPNG(path: path, problem: "libpng returned colour type \(image.source_color_type) without samples")
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
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError.fileNotFound(path: path) }
        if isDirectory.boolValue { throw DataError.cannotRead(path: path, reason: "it is a directory") }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DataError.cannotRead(path: path, reason: error.localizedDescription)
        }
    }
}
