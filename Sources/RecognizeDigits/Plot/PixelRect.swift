/// A rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
struct PixelRect: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    /// The last column inside (`x - 1` when empty).
    var maxX: Int { x + width - 1 }
    /// The last row inside (`y - 1` when empty).
    var maxY: Int { y + height - 1 }
    var isEmpty: Bool { width <= 0 || height <= 0 }

    func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px <= maxX && py >= y && py <= maxY
    }

    /// The pixels in both rectangles (empty, with a non-positive side, when they do not meet).
    func intersection(_ other: PixelRect) -> PixelRect {
        let left = max(x, other.x)
        let top = max(y, other.y)
        let right = min(maxX, other.maxX)
        let bottom = min(maxY, other.maxY)
        return PixelRect(x: left, y: top, width: max(0, right - left + 1), height: max(0, bottom - top + 1))
    }

    /// The rectangle grown by `amount` pixels on every side (shrunk when negative).
    func expanded(by amount: Int) -> PixelRect {
        PixelRect(x: x - amount, y: y - amount, width: width + 2 * amount, height: height + 2 * amount)
    }
}
