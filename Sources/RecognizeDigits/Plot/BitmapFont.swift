/// A 5 x 7 pixel font for ASCII 32...126 with two rows below the baseline for descenders,
/// drawn at an integer scale: the plot's text needs no font files or libraries. Characters
/// outside printable ASCII are drawn as `?`.
///
/// ```swift
/// let size = BitmapFont.size(of: "Train cost", scale: 2)   // 118 x 18 pixels
/// canvas.drawText("Train cost", x: 10, y: 10, scale: 2, color: PlotPalette.text)
/// ```
enum BitmapFont {
    static let glyphWidth = 5
    /// Rows from the top of a capital to the baseline.
    static let ascent = 7
    /// All rows of a glyph cell, descenders included.
    static let cellHeight = 9
    /// Columns from one character to the next (the glyph and one column of space).
    static let advance = 6

    /// Each glyph's rows, top to bottom; bit 4 is the leftmost column.
    static let glyphs: [[UInt8]] = glyphPatterns.map(parse)

    /// The rows of the glyph that draws `character`.
    static func glyph(for character: Character) -> [UInt8] {
        let code = character.asciiValue.map(Int.init) ?? 63
        let index = (32...126).contains(code) ? code - 32 : 63 - 32
        return glyphs.indices.contains(index) ? glyphs[index] : [UInt8](repeating: 0, count: cellHeight)
    }

    /// Whether the glyph of `character` has ink at `column`, `row` of its cell.
    static func isInked(_ character: Character, column: Int, row: Int) -> Bool {
        let rows = glyph(for: character)
        guard (0..<glyphWidth).contains(column), rows.indices.contains(row) else { return false }
        return rows[row] & (1 << (glyphWidth - 1 - column)) != 0
    }

    /// The pixels `text` covers on one line at `scale`: no space after the last character,
    /// and the full cell height (descenders included) so lines of any text align.
    static func size(of text: String, scale: Int) -> (width: Int, height: Int) {
        let s = max(1, scale)
        let count = text.count
        return (count == 0 ? 0 : (count * advance - 1) * s, cellHeight * s)
    }

    /// A glyph pattern (rows of `#` and `.`, separated by spaces) as row bits; missing rows and
    /// columns are blank, so a mistyped pattern draws wrongly instead of trapping.
    static func parse(_ pattern: String) -> [UInt8] {
        var rows = pattern.split(separator: " ").prefix(cellHeight).map { row -> UInt8 in
            var bits: UInt8 = 0
            for (column, mark) in row.prefix(glyphWidth).enumerated() where mark == "#" {
                bits |= 1 << (glyphWidth - 1 - column)
            }
            return bits
        }
        while rows.count < cellHeight { rows.append(0) }
        return rows
    }
}
