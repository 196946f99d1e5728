/// An 8-bit gray image, rows top to bottom: what the tutorial's `load_image` works on
/// after `Image.open(file).convert('L')`.
///
/// ```swift
/// let digit = try GrayImage(contentsOfPNG: "infer_3.png").resized(width: 28, height: 28)
/// let input = digit.normalized()   // 784 floats, pixel/255*2-1
/// ```
public struct GrayImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` bytes.
    public let pixels: [UInt8]

    /// An image of the given pixels. Throws `DataError.invalidFile` when their count is not
    /// `width * height` or a side is not positive.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        // Overflow-checked: width * height of hostile sides must not trap.
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, pixels.count == area else {
            throw DataError.invalidFile(
                path: "<gray image>", problem: "\(pixels.count) pixels do not make a \(width) x \(height) image")
        }
        self.init(unchecked: width, height, pixels)
    }

    init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Decodes a PNG file of any colour type and converts it to gray as PIL's `convert('L')`.
    public init(contentsOfPNG path: String) throws {
        self = try DecodedPNG(contentsOf: path).grayscale()
    }

    /// The largest side `resized(width:height:)` produces: the PNG decoder's limit.
    public static let maximumSide = DecodedPNG.maximumSide

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt8 { pixels[y * width + x] }

    /// The pixels preprocessed as the tutorial: pixel/255*2-1, row-major.
    public func normalized() -> [Float] {
        [Float](unsafeUninitializedCapacity: pixels.count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { source in
                if let destination = buffer.baseAddress { PixelNormalization.normalize(source, into: destination) }
            }
            initialized = pixels.count
        }
    }
}
