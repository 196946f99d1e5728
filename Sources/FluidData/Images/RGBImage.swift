/// An 8-bit RGB image, rows top to bottom, three samples (red, green, blue) per pixel: what
/// plots and other pictures for people are drawn into before they are written as PNG.
///
/// ```swift
/// var image = RGBImage(width: 64, height: 32, filledWith: .white)
/// image[10, 5] = RGBImage.Color(red: 31, green: 119, blue: 180)
/// try image.writePNG(to: "plot.png")
/// ```
public struct RGBImage: Equatable, Sendable {
    /// One pixel's colour.
    public struct Color: Hashable, Sendable {
        public var red: UInt8
        public var green: UInt8
        public var blue: UInt8

        public init(red: UInt8, green: UInt8, blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        public static let white = Color(red: 255, green: 255, blue: 255)
        public static let black = Color(red: 0, green: 0, blue: 0)
    }

    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: R, G, B of each pixel, row-major.
    public private(set) var pixels: [UInt8]

    /// An image of the given samples. Throws `DataError.invalidFile` when a side is not
    /// positive or their count is not `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
        let (count, countOverflow) = area.multipliedReportingOverflow(by: 3)
        guard width > 0, height > 0, !areaOverflow, !countOverflow, pixels.count == count else {
            throw DataError.invalidFile(
                path: "<rgb image>",
                problem: "\(pixels.count) samples do not make a \(width) x \(height) RGB image (3 per pixel)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one colour to draw on. An image holds at least one pixel, so a side below 1
    /// is taken as 1.
    public init(width: Int, height: Int, filledWith color: Color) {
        self.width = max(1, width)
        self.height = max(1, height)
        let row = [color.red, color.green, color.blue]
        pixels = [UInt8](unsafeUninitializedCapacity: self.width * self.height * 3) { buffer, initialized in
            for i in 0..<buffer.count { buffer[i] = row[i % 3] }
            initialized = buffer.count
        }
    }

    /// The pixel at column `x`, row `y` (both must be inside the image).
    public subscript(x: Int, y: Int) -> Color {
        get {
            precondition(
                x >= 0 && x < width && y >= 0 && y < height,
                "pixel (\(x), \(y)) is outside the \(width) x \(height) image")
            let i = (y * width + x) * 3
            return Color(red: pixels[i], green: pixels[i + 1], blue: pixels[i + 2])
        }
        set {
            precondition(
                x >= 0 && x < width && y >= 0 && y < height,
                "pixel (\(x), \(y)) is outside the \(width) x \(height) image")
            let i = (y * width + x) * 3
            pixels[i] = newValue.red
            pixels[i + 1] = newValue.green
            pixels[i + 2] = newValue.blue
        }
    }
}
