extension RGBImage {
    /// The image encoded as an 8-bit RGB PNG (by libpng).
    ///
    /// ```swift
    /// let bytes = try RGBImage(width: 1, height: 1, pixels: [255, 128, 0]).pngData()
    /// ```
    public func pngData() throws -> [UInt8] {
        try PNGEncoder.encode(pixels, width: width, height: height, layout: .rgb)
    }

    /// Writes the image as an 8-bit RGB PNG file, atomically: the bytes go to a temporary
    /// file in the same directory, which then replaces `path`, so readers never see a
    /// partial file. Errors are `DataError.cannotWrite` naming `path`.
    ///
    /// ```swift
    /// try plot.render().writePNG(to: "train_cost.png")
    /// ```
    public func writePNG(to path: String) throws {
        try PNGEncoder.write(to: path, pngData)
    }
}
