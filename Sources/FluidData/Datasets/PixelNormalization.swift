/// The tutorial's pixel preprocessing: byte p becomes p/255*2-1 in float32, so 0 -> -1 and
/// 255 -> 1. Computed once per byte value, in the same float32 steps as NumPy's
/// `images / 255.0 * 2.0 - 1.0` on a float32 array.
///
/// ```swift
/// PixelNormalization.value(of: 255)   // 1.0
/// ```
public enum PixelNormalization {
    /// The float for each byte value 0...255.
    public static let table: [Float] = (0...255).map { Float($0) / 255 * 2 - 1 }

    /// The normalized value of one pixel.
    public static func value(of pixel: UInt8) -> Float { table[Int(pixel)] }

    /// Writes the normalized value of each byte in `pixels` to `destination`. The arithmetic
    /// is the table's, written out so the compiler vectorizes it.
    public static func normalize(_ pixels: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutablePointer<Float>) {
        guard let source = pixels.baseAddress else { return }
        for i in 0..<pixels.count {
            destination[i] = Float(source[i]) / 255 * 2 - 1
        }
    }
}
