extension DecodedPNG {
    /// The image in 8-bit gray as PIL's `Image.convert('L')` computes it: for colour,
    /// L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 (ITU-R 601-2 luma, 0.299/0.587/0.114,
    /// rounded); gray is kept; alpha is dropped; palette entries convert by their RGB.
    ///
    /// One deliberate difference: PIL opens 16-bit gray as mode I;16 and its conversion to L
    /// saturates every value above 255; here 16-bit gray keeps its high byte (v >> 8), as PIL
    /// itself does for 16-bit RGB, RGBA and gray+alpha.
    ///
    /// ```swift
    /// let gray = try DecodedPNG(contentsOf: "photo.png").grayscale()
    /// ```
    public func grayscale() -> GrayImage {
        let pixelCount = width * height
        let gray = [UInt8](unsafeUninitializedCapacity: pixelCount) { output, initialized in
            samples.withUnsafeBufferPointer { input in
                switch channels {
                case 1:
                    for i in 0..<pixelCount { output[i] = input[i] }
                case 2:
                    for i in 0..<pixelCount { output[i] = input[2 * i] }
                default:
                    let stride = channels
                    for i in 0..<pixelCount {
                        output[i] = Self.luma(input[stride * i], input[stride * i + 1], input[stride * i + 2])
                    }
                }
            }
            initialized = pixelCount
        }
        return GrayImage(unchecked: width, height, gray)
    }

    /// PIL's L24 rounding of ITU-R 601-2 luma.
    @inline(__always)
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(r) * 19595 + UInt32(g) * 38470 + UInt32(b) * 7471 + 0x8000) >> 16)
    }
}
