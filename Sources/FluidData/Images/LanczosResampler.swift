import Foundation

/// Resizing as PIL's `Image.resize(size, Image.ANTIALIAS)` (Lanczos, a = 3) does it for
/// 8-bit images, step for step so results match PIL's bytes: separable passes (horizontal,
/// then vertical) with the filter's support widened by the downscale factor, weights
/// normalised to sum 1 and rounded to 22-bit fixed point, each pass rounding to 8 bits.
/// A pass whose size does not change is skipped.
///
/// Checked byte for byte against Pillow on random images of many sizes. Pillow up to 12
/// always runs the horizontal pass first, as here; Pillow 13 runs the vertical pass first
/// for some shapes (mostly when the height shrinks more than the width), which moves a few
/// pixels by one or two levels.
enum LanczosResampler {
    static let support = 3.0
    static let precisionBits = 22

    /// PIL's `lanczos_filter`: sinc(x) * sinc(x / 3) on [-3, 3).
    static func lanczos(_ x: Double) -> Double {
        guard -support <= x && x < support else { return 0 }
        return sinc(x) * sinc(x / support)
    }

    static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }

    /// Fixed-point weights of one output axis: for output i, the first input index,
    /// the number of inputs, and `kernelSize` weights starting at `i * kernelSize`.
    struct Coefficients {
        var kernelSize: Int
        var first: [Int]
        var count: [Int]
        var weights: [Int32]
    }

    /// PIL's `precompute_coeffs` followed by `normalize_coeffs_8bpc`.
    static func coefficients(inputSize: Int, outputSize: Int) -> Coefficients {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let radius = support * filterScale
        let kernelSize = Int(radius.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outputSize)
        var count = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * kernelSize)
        var kernel = [Double](repeating: 0, count: kernelSize)
        let one = Double(1 << precisionBits)
        for i in 0..<outputSize {
            let center = (Double(i) + 0.5) * scale
            let inverseScale = 1 / filterScale
            let lower = max(Int(center - radius + 0.5), 0)
            let upper = min(Int(center + radius + 0.5), inputSize)
            let n = max(upper - lower, 0)
            var total = 0.0
            for k in 0..<n {
                let w = lanczos((Double(k + lower) - center + 0.5) * inverseScale)
                kernel[k] = w
                total += w
            }
            for k in 0..<n {
                let w = total != 0 ? kernel[k] / total : kernel[k]
                weights[i * kernelSize + k] = Int32(w < 0 ? -0.5 + w * one : 0.5 + w * one)
            }
            first[i] = lower
            count[i] = n
        }
        return Coefficients(kernelSize: kernelSize, first: first, count: count, weights: weights)
    }

    /// Rounds a fixed-point sum to 8 bits, clamped to 0...255 (PIL's `clip8`).
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let value = sum >> Int32(precisionBits)
        return value < 0 ? 0 : value > 255 ? 255 : UInt8(value)
    }

    static func resize(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
        var pixels = image.pixels
        var currentWidth = image.width
        var currentHeight = image.height
        let vertical = coefficients(inputSize: image.height, outputSize: height)
        var verticalFirst = vertical.first

        if width != image.width {
            // Only the rows the vertical pass reads are resampled, as in PIL.
            let firstRow = vertical.first[0]
            let lastRow = vertical.first[height - 1] + vertical.count[height - 1]
            let rows = height != image.height ? firstRow..<lastRow : 0..<image.height
            if height != image.height {
                verticalFirst = verticalFirst.map { $0 - firstRow }
            }
            pixels = resampleRows(pixels, width: image.width, rows: rows, to: width)
            currentWidth = width
            currentHeight = rows.count
        }
        if height != image.height {
            pixels = resampleColumns(
                pixels, width: currentWidth, height: currentHeight, to: height,
                coefficients: vertical, first: verticalFirst)
            currentHeight = height
        }
        return GrayImage(unchecked: currentWidth, currentHeight, pixels)
    }

    private static func resampleRows(_ input: [UInt8], width: Int, rows: Range<Int>, to outputWidth: Int) -> [UInt8] {
        let c = coefficients(inputSize: width, outputSize: outputWidth)
        let half = Int32(1 << (precisionBits - 1))
        return [UInt8](unsafeUninitializedCapacity: outputWidth * rows.count) { output, initialized in
            input.withUnsafeBufferPointer { source in
                c.weights.withUnsafeBufferPointer { weights in
                    for (r, y) in rows.enumerated() {
                        let row = y * width
                        for x in 0..<outputWidth {
                            var sum = half
                            let w = x * c.kernelSize
                            let start = row + c.first[x]
                            for k in 0..<c.count[x] {
                                sum &+= Int32(source[start + k]) &* weights[w + k]
                            }
                            output[r * outputWidth + x] = clip8(sum)
                        }
                    }
                }
            }
            initialized = outputWidth * rows.count
        }
    }

    private static func resampleColumns(
        _ input: [UInt8], width: Int, height: Int, to outputHeight: Int,
        coefficients c: Coefficients, first: [Int]
    ) -> [UInt8] {
        let half = Int32(1 << (precisionBits - 1))
        return [UInt8](unsafeUninitializedCapacity: width * outputHeight) { output, initialized in
            input.withUnsafeBufferPointer { source in
                c.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<outputHeight {
                        let w = y * c.kernelSize
                        for x in 0..<width {
                            var sum = half
                            for k in 0..<c.count[y] {
                                sum &+= Int32(source[(first[y] + k) * width + x]) &* weights[w + k]
                            }
                            output[y * width + x] = clip8(sum)
                        }
                    }
                }
            }
            initialized = width * outputHeight
        }
    }
}

extension GrayImage {
    /// The image resized as PIL's `resize((width, height), Image.ANTIALIAS)`: a Lanczos
    /// (a = 3) filter whose support grows with the downscale factor, so shrinking averages
    /// instead of aliasing. Same size returns the image unchanged. Throws
    /// `DataError.invalidImageSize` unless both sides are in 1...`GrayImage.maximumSide`.
    ///
    /// ```swift
    /// let small = try GrayImage(contentsOfPNG: "photo.png").resized(width: 28, height: 28)
    /// ```
    public func resized(width: Int, height: Int) throws -> GrayImage {
        let sides = 1...GrayImage.maximumSide
        guard sides.contains(width), sides.contains(height) else {
            throw DataError.invalidImageSize(width: width, height: height, limit: GrayImage.maximumSide)
        }
        if width == self.width && height == self.height { return self }
        return LanczosResampler.resize(self, width: width, height: height)
    }
}
