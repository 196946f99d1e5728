import FluidData

extension RasterCanvas {
    /// Draws `text` with the bitmap font, each glyph pixel a `scale` x `scale` square; (x, y) is
    /// the top-left corner of the first character's cell.
    mutating func drawText(_ text: String, x: Int, y: Int, scale: Int, color: RGBImage.Color) {
        forEachInkedPixel(of: text, scale: scale) { px, py in
            fill(PixelRect(x: x + px, y: y + py, width: max(1, scale), height: max(1, scale)), color: color)
        }
    }

    /// Draws `text` turned a quarter turn anticlockwise, reading upwards, as a y-axis label;
    /// (x, y) is the top-left corner of the turned text's box (`BitmapFont.size` with width and
    /// height swapped).
    mutating func drawVerticalText(_ text: String, x: Int, y: Int, scale: Int, color: RGBImage.Color) {
        let length = BitmapFont.size(of: text, scale: scale).width
        let s = max(1, scale)
        // Upright pixel (px, py) goes to column py and row length - 1 - px of the turned box; a
        // square's top-left corner goes there minus its side.
        forEachInkedPixel(of: text, scale: scale) { px, py in
            fill(PixelRect(x: x + py, y: y + length - px - s, width: s, height: s), color: color)
        }
    }

    /// The top-left corners of the inked squares of upright `text`, relative to its origin.
    private func forEachInkedPixel(of text: String, scale: Int, _ body: (Int, Int) -> Void) {
        let s = max(1, scale)
        for (index, character) in text.enumerated() {
            let rows = BitmapFont.glyph(for: character)
            let left = index * BitmapFont.advance * s
            for (row, bits) in rows.enumerated() where bits != 0 {
                for column in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - column)) != 0 {
                    body(left + column * s, row * s)
                }
            }
        }
    }
}
