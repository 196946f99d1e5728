extension GrayImage {
    /// The image encoded as an 8-bit gray PNG (by libpng).
    ///
    /// ```swift
    /// let bytes = try GrayImage(width: 2, height: 1, pixels: [0, 255]).pngData()
    /// ```
    public func pngData() throws -> [UInt8] {
        try PNGEncoder.encode(pixels, width: width, height: height, layout: .gray)
    }

    /// Writes the image as an 8-bit gray PNG file, atomically: the bytes go to a temporary
    /// file in the same directory, which then replaces `path`, so readers never see a
    /// partial file.
    ///
    /// ```swift
    /// try digit.writePNG(to: "infer_3.png")
    /// ```
    public func writePNG(to path: String) throws {
        try PNGEncoder.write(to: path, pngData)
    }
}
