/// The sizes of one `pool2d`: input shape, decoded attributes, resolved padding, output size
/// and the pooling window of each output position, following Paddle's CPU kernels.
///
/// As in Paddle, the kernel offsets windows by the top and left padding only (bottom and right
/// padding only enlarge the output), and a non-exclusive average divides by the window clipped
/// to [-pad, size + pad) with the leading pad on both ends: kh * kw except for the windows that
/// `ceil_mode` or an asymmetric padding push past that range.
struct Pool2DGeometry {
    var batch: Int, channels: Int, height: Int, width: Int
    var kernelH: Int, kernelW: Int, strideH: Int, strideW: Int
    var padding: Padding2D
    var outHeight: Int, outWidth: Int
    var isMax: Bool, exclusive: Bool, adaptive: Bool

    var outputShape: [Int] { [batch, channels, outHeight, outWidth] }
    var inputPlane: Int { height * width }
    var outputPlane: Int { outHeight * outWidth }

    init(op: OpDesc, input x: TensorMeta) throws {
        func mismatch(_ message: String) -> FluidError { .shapeMismatch(op: op.type, slot: "X", message: message) }
        guard x.rank == 4 else { throw mismatch("should be a 4-D NCHW tensor, but X \(x.shape) has rank \(x.rank)") }
        try Window2D.checkChannelFirst(op)
        let type = try op.string("pooling_type")
        guard type == "max" || type == "avg" else {
            throw FluidError.attribute(
                op: op.type, name: "pooling_type", message: "should be \"max\" or \"avg\", found \"\(type)\"")
        }
        isMax = type == "max"
        exclusive = try op.bool("exclusive")
        adaptive = try op.bool("adaptive")
        let global = try op.bool("global_pooling")
        let ceilMode = try op.bool("ceil_mode")
        (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])

        (kernelH, kernelW) = global ? (height, width) : try Window2D.pair(op, "ksize")
        (strideH, strideW) = try Window2D.pair(op, "strides")
        padding = Window2D.resolve(
            try Window2D.algorithm(op), explicit: try Window2D.explicitPadding(op),
            height: height, width: width, kernel: (kernelH, kernelW), stride: (strideH, strideW))
        if global || adaptive { padding = Padding2D(top: 0, bottom: 0, left: 0, right: 0) }

        if global {
            (outHeight, outWidth) = (1, 1)
        } else if adaptive {
            (outHeight, outWidth) = (kernelH, kernelW)
        } else {
            outHeight = Self.outputSize(height, kernelH, padding.top, padding.bottom, strideH, ceilMode)
            outWidth = Self.outputSize(width, kernelW, padding.left, padding.right, strideW, ceilMode)
            if outHeight == 0 || outWidth == 0 {
                throw mismatch(
                    "X \(x.shape) is too small for ksize [\(kernelH), \(kernelW)]: the output would be \(outHeight) x \(outWidth) with paddings \(padding) and strides [\(strideH), \(strideW)]"
                )
            }
        }
    }

    /// (size - kernel + padding (+ stride - 1 with ceil_mode)) / stride + 1, as Paddle computes
    /// it; -1 when unknown, 0 when the window does not fit.
    static func outputSize(_ size: Int, _ kernel: Int, _ before: Int, _ after: Int, _ stride: Int, _ ceilMode: Bool)
        -> Int
    {
        guard size >= 0, before >= 0 else { return -1 }
        let out = (size - kernel + before + after + (ceilMode ? stride - 1 : 0)) / stride + 1
        return max(out, 0)
    }

    /// Input rows [start, end) pooled by output row `o`, and the divisor extent of a
    /// non-exclusive average.
    @inline(__always)
    func rows(_ o: Int) -> (start: Int, end: Int, span: Int) {
        Self.window(
            o, size: height, outputs: outHeight, kernel: kernelH, stride: strideH, pad: padding.top, adaptive: adaptive)
    }

    @inline(__always)
    func columns(_ o: Int) -> (start: Int, end: Int, span: Int) {
        Self.window(
            o, size: width, outputs: outWidth, kernel: kernelW, stride: strideW, pad: padding.left, adaptive: adaptive)
    }

    @inline(__always)
    static func window(_ o: Int, size: Int, outputs: Int, kernel: Int, stride: Int, pad: Int, adaptive: Bool) -> (
        start: Int, end: Int, span: Int
    ) {
        if adaptive {
            // Bins floor(o * size / outputs) ..< ceil((o + 1) * size / outputs).
            let start = o * size / outputs
            let end = ((o + 1) * size + outputs - 1) / outputs
            return (start, end, end - start)
        }
        let start = o * stride - pad
        let end = min(start + kernel, size + pad)
        let clippedStart = max(start, 0)
        return (clippedStart, max(min(end, size), clippedStart), end - start)
    }

    /// What an average over a window divides by; 0 for a window holding no input.
    @inline(__always)
    func divisor(_ r: (start: Int, end: Int, span: Int), _ c: (start: Int, end: Int, span: Int)) -> Int {
        let inside = (r.end - r.start) * (c.end - c.start)
        if inside == 0 { return 0 }
        return exclusive || adaptive ? inside : r.span * c.span
    }
}

/// The window bounds of every output row and column, and the divisor of every output
/// position, computed once per geometry so that the plane loops only read them.
final class Pool2DWindows {
    let g: Pool2DGeometry
    /// [start, end) input rows of each output row, then the same for columns.
    let rowStart: UnsafeMutablePointer<Int>, rowEnd: UnsafeMutablePointer<Int>
    let colStart: UnsafeMutablePointer<Int>, colEnd: UnsafeMutablePointer<Int>
    /// What the average at each output position of a plane divides by (0: no input in the window).
    let divisor: UnsafeMutablePointer<Float>
    /// Every window is a whole 2 x 2 block at (2 oy, 2 ox): the LeNet pooling, which has a
    /// straight-line kernel.
    let tiles2x2: Bool

    init(_ g: Pool2DGeometry) {
        self.g = g
        rowStart = .allocate(capacity: g.outHeight)
        rowEnd = .allocate(capacity: g.outHeight)
        colStart = .allocate(capacity: g.outWidth)
        colEnd = .allocate(capacity: g.outWidth)
        divisor = .allocate(capacity: g.outputPlane)
        for oy in 0..<g.outHeight {
            let r = g.rows(oy)
            (rowStart[oy], rowEnd[oy]) = (r.start, r.end)
            for ox in 0..<g.outWidth {
                let c = g.columns(ox)
                (colStart[ox], colEnd[ox]) = (c.start, c.end)
                divisor[oy * g.outWidth + ox] = Float(g.divisor(r, c))
            }
        }
        let rows = (0..<g.outHeight).allSatisfy { [rowStart, rowEnd] in
            rowStart[$0] == 2 * $0 && rowEnd[$0] == 2 * $0 + 2
        }
        let columns = (0..<g.outWidth).allSatisfy { [colStart, colEnd] in
            colStart[$0] == 2 * $0 && colEnd[$0] == 2 * $0 + 2
        }
        tiles2x2 = rows && columns
    }

    deinit {
        rowStart.deallocate()
        rowEnd.deallocate()
        colStart.deallocate()
        colEnd.deallocate()
        divisor.deallocate()
    }
}
