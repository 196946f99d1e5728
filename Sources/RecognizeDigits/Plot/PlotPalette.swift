import FluidData

/// The plot's colours. The curves are solid and distinct from everything else drawn, so a
/// pixel of `train` or `test` belongs to that curve (or its legend sample) and nothing else.
enum PlotPalette {
    static let background = RGBImage.Color.white
    /// Title, labels and tick numbers.
    static let text = RGBImage.Color(red: 34, green: 34, blue: 34)
    /// The frame around the plot area and the tick marks.
    static let axis = RGBImage.Color(red: 68, green: 68, blue: 68)
    static let grid = RGBImage.Color(red: 228, green: 228, blue: 228)
    static let legendBorder = RGBImage.Color(red: 190, green: 190, blue: 190)
    /// matplotlib's first two default colours, as the tutorial's Ploter draws.
    static let train = RGBImage.Color(red: 31, green: 119, blue: 180)
    static let test = RGBImage.Color(red: 255, green: 127, blue: 14)

    /// `#rrggbb`, for SVG.
    static func hex(_ color: RGBImage.Color) -> String {
        let digits = Array("0123456789abcdef")
        return "#"
            + String([color.red, color.green, color.blue].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
