import FluidData

/// An RGB surface the plot is drawn on. Colours are solid (no antialiasing), so every pixel a
/// shape sets has exactly the shape's colour, which lets tests find a curve by its colour.
/// Every write is clipped to `clip` (initially the whole image), so shapes that reach outside
/// the image or outside the plot area are cut, never trapping.
///
/// ```swift
/// var canvas = RasterCanvas(width: 200, height: 100, background: .white)
/// canvas.drawLine(from: (10, 90), to: (190, 10), width: 2, color: PlotPalette.train)
/// let image = canvas.image
/// ```
struct RasterCanvas {
    private(set) var image: RGBImage
    /// Where drawing lands; always inside the image.
    var clip: PixelRect {
        didSet { clip = clip.intersection(bounds) }
    }

    /// Sides below 1 are taken as 1.
    init(width: Int, height: Int, background: RGBImage.Color) {
        image = RGBImage(width: width, height: height, filledWith: background)
        clip = PixelRect(x: 0, y: 0, width: image.width, height: image.height)
    }

    var width: Int { image.width }
    var height: Int { image.height }
    var bounds: PixelRect { PixelRect(x: 0, y: 0, width: image.width, height: image.height) }

    subscript(x: Int, y: Int) -> RGBImage.Color { image[x, y] }

    /// Sets one pixel when it is inside the clip.
    mutating func plot(x: Int, y: Int, color: RGBImage.Color) {
        if clip.contains(x: x, y: y) { image[x, y] = color }
    }

    mutating func fill(_ rect: PixelRect, color: RGBImage.Color) {
        let visible = rect.intersection(clip)
        guard !visible.isEmpty else { return }
        for y in visible.y...visible.maxY {
            for x in visible.x...visible.maxX { image[x, y] = color }
        }
    }

    /// A one-pixel outline along the inside of `rect`.
    mutating func stroke(_ rect: PixelRect, color: RGBImage.Color) {
        guard !rect.isEmpty else { return }
        fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: 1), color: color)
        fill(PixelRect(x: rect.x, y: rect.maxY, width: rect.width, height: 1), color: color)
        fill(PixelRect(x: rect.x, y: rect.y, width: 1, height: rect.height), color: color)
        fill(PixelRect(x: rect.maxX, y: rect.y, width: 1, height: rect.height), color: color)
    }

    /// A filled disc; `radius` 0 is one pixel.
    mutating func fillCircle(centerX: Int, centerY: Int, radius: Int, color: RGBImage.Color) {
        let r = max(0, radius)
        // r² + r/2 rounds the rim so small discs look round rather than diamond-shaped.
        let limit = r * r + r / 2
        for dy in -r...r {
            for dx in -r...r where dx * dx + dy * dy <= limit {
                plot(x: centerX + dx, y: centerY + dy, color: color)
            }
        }
    }

    /// A straight line `width` pixels thick between two points in pixel coordinates (which may
    /// lie far outside the image: the segment is clipped first, so its length stays bounded).
    mutating func drawLine(
        from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Int, color: RGBImage.Color
    ) {
        let thickness = max(1, width)
        // Clip against the clip rectangle grown by the pen, so a pen centred just outside still
        // paints its inner half.
        let reach = Double(thickness + 1)
        guard
            let (a, b) = Self.clipSegment(
                start, end, left: Double(clip.x) - reach, top: Double(clip.y) - reach,
                right: Double(clip.maxX) + reach, bottom: Double(clip.maxY) + reach)
        else { return }
        let pen = Self.penOffsets(thickness)
        var x = Int(a.x.rounded())
        var y = Int(a.y.rounded())
        let x1 = Int(b.x.rounded())
        let y1 = Int(b.y.rounded())
        // Bresenham: step along the major axis, carrying the error of the minor one.
        let dx = abs(x1 - x)
        let dy = -abs(y1 - y)
        let sx = x < x1 ? 1 : -1
        let sy = y < y1 ? 1 : -1
        var error = dx + dy
        while true {
            for (ox, oy) in pen { plot(x: x + ox, y: y + oy, color: color) }
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += sx
            }
            if doubled <= dx {
                error += dx
                y += sy
            }
        }
    }

    /// Line segments through `points`, in order; a single point is drawn as one pen stamp.
    mutating func drawPolyline(_ points: [(x: Double, y: Double)], width: Int, color: RGBImage.Color) {
        guard let first = points.first else { return }
        if points.count == 1 { drawLine(from: first, to: first, width: width, color: color) }
        for (a, b) in zip(points, points.dropFirst()) { drawLine(from: a, to: b, width: width, color: color) }
    }

    /// The pixels a round pen of the given diameter covers around its position.
    static func penOffsets(_ diameter: Int) -> [(Int, Int)] {
        let low = -(diameter - 1) / 2
        let centre = Double(diameter - 1) / 2 + Double(low)
        let radiusSquared = Double(diameter * diameter) / 4 + 0.5
        var offsets: [(Int, Int)] = []
        for oy in low..<(low + diameter) {
            for ox in low..<(low + diameter) {
                let ex = Double(ox) - centre
                let ey = Double(oy) - centre
                if ex * ex + ey * ey <= radiusSquared { offsets.append((ox, oy)) }
            }
        }
        return offsets
    }

    /// Liang–Barsky: the part of the segment inside the rectangle, or nil when none is (or an
    /// end is not finite).
    static func clipSegment(
        _ a: (x: Double, y: Double), _ b: (x: Double, y: Double),
        left: Double, top: Double, right: Double, bottom: Double
    )
        -> ((x: Double, y: Double), (x: Double, y: Double))?
    {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return nil }
        let dx = b.x - a.x
        let dy = b.y - a.y
        guard dx.isFinite, dy.isFinite else { return nil }
        var enter = 0.0
        var leave = 1.0
        for (p, q) in [(-dx, a.x - left), (dx, right - a.x), (-dy, a.y - top), (dy, bottom - a.y)] {
            if p == 0 {
                if q < 0 { return nil }
                continue
            }
            let t = q / p
            if p < 0 { enter = max(enter, t) } else { leave = min(leave, t) }
            if enter > leave { return nil }
        }
        return ((a.x + enter * dx, a.y + enter * dy), (a.x + leave * dx, a.y + leave * dy))
    }
}
