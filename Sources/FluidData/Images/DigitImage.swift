import Fluid

/// Reads a picture of a digit the way the PaddlePaddle tutorial's `load_image` does:
/// decode the PNG, convert to gray as PIL's `convert('L')`, resize to 28 x 28 with the
/// antialiasing Lanczos filter, and normalise each pixel to pixel/255*2-1.
///
/// ```swift
/// let input = try DigitImage.tensor(contentsOfPNG: "infer_3.png")   // float32 [1, 1, 28, 28]
/// let result = try exe.run(inference, feed: ["img": input], fetch: ...)
/// ```
public enum DigitImage {
    /// The side of the images the recognize-digits model takes.
    public static let side = 28

    /// The preprocessed pixels, `side * side` floats in [-1, 1], row-major. Throws
    /// `DataError.invalidImageSize` when `side` is not in 1...`GrayImage.maximumSide`.
    public static func normalizedPixels(contentsOfPNG path: String, side: Int = DigitImage.side) throws -> [Float] {
        try GrayImage(contentsOfPNG: path).resized(width: side, height: side).normalized()
    }

    /// The preprocessed image as a float32 tensor of shape [1, 1, side, side], ready to feed.
    public static func tensor(contentsOfPNG path: String, side: Int = DigitImage.side) throws -> Tensor {
        try Tensor(shape: [1, 1, side, side], scalars: try normalizedPixels(contentsOfPNG: path, side: side))
    }
}
