import Foundation

/// Writes real MNIST test digits as 8-bit gray PNG files, `infer_<digit>.png`, for trying
/// inference on a picture (the tutorial's `infer_3.png`): for each digit 0, 1, ... up to
/// `count` digits, the first test image with that label, white on black as in MNIST.
/// Returns the paths written. Read back with `DigitImage`, a file gives exactly the test
/// sample's preprocessed pixels.
///
/// ```swift
/// let paths = try writeSampleDigits(to: "image", count: 10)   // image/infer_0.png ... image/infer_9.png
/// ```
@discardableResult
public func writeSampleDigits(to directory: String, count: Int = 10, from dataset: ImageDataset? = nil) throws
    -> [String]
{
    let source = try dataset ?? MNIST.test()
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
        throw DataError.cannotWrite(path: directory, reason: error.localizedDescription)
    }
    var paths: [String] = []
    for digit in 0..<min(max(count, 0), 10) {
        guard let index = source.labels.firstIndex(of: UInt8(digit)) else { continue }
        let sample = try source[index]
        let image = try GrayImage(width: source.columns, height: source.rows, pixels: Array(sample.pixels))
        let path = directory + "/infer_\(digit).png"
        try image.writePNG(to: path)
        paths.append(path)
    }
    return paths
}
