/// Conversions between one sample's input planes and the column matrix that turns a
/// convolution into a GEMM. The column matrix has one row per (channel, kernel row, kernel
/// column) of a group and one column per output position; several samples share a matrix
/// side by side, so each call writes `outputPlane` columns of rows `rowStride` apart.
enum Im2Col {
    /// Fills the columns of one sample and group from `x` (its first channel of the group);
    /// positions that fall into the padding get zero.
    static func im2col(
        _ x: UnsafePointer<Float>, _ g: Conv2DGeometry,
        into col: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        let (sh, sw) = (g.strideH, g.strideW)
        var row = col
        for c in 0..<g.inChannelsPerGroup {
            let plane = x + c * h * w
            for ki in 0..<g.kernelH {
                let rowOffset = ki * g.dilationH - g.padding.top
                for kj in 0..<g.kernelW {
                    let colOffset = kj * g.dilationW - g.padding.left
                    // Outputs [lo, hi) read inside the row; the rest read padding.
                    let lo = Window2D.firstOutput(reaching: 0, stride: sw, offset: colOffset, limit: ow)
                    let hi = max(lo, Window2D.firstOutput(reaching: w, stride: sw, offset: colOffset, limit: ow))
                    for y in 0..<oh {
                        let dst = row + y * ow
                        let iy = y * sh + rowOffset
                        if iy < 0 || iy >= h {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * w + colOffset
                        // Plain loops: rows are short (8 to 24 floats in the tutorial), where a
                        // memcpy call per row costs more than the copy.
                        for x in 0..<lo { dst[x] = 0 }
                        if sw == 1 {
                            for x in lo..<hi { dst[x] = src[x] }
                        } else {
                            for x in lo..<hi { dst[x] = src[x * sw] }
                        }
                        for x in hi..<ow { dst[x] = 0 }
                    }
                    row += rowStride
                }
            }
        }
    }

    /// Adds the columns of one sample and group back onto `dx` (its first channel of the
    /// group): the adjoint of `im2col`. Entries that came from padding are dropped.
    static func col2im(
        _ col: UnsafePointer<Float>, rowStride: Int, _ g: Conv2DGeometry,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        let (h, w, oh, ow) = (g.height, g.width, g.outHeight, g.outWidth)
        let (sh, sw) = (g.strideH, g.strideW)
        var row = col
        for c in 0..<g.inChannelsPerGroup {
            let plane = dx + c * h * w
            for ki in 0..<g.kernelH {
                let rowOffset = ki * g.dilationH - g.padding.top
                for kj in 0..<g.kernelW {
                    let colOffset = kj * g.dilationW - g.padding.left
                    let lo = Window2D.firstOutput(reaching: 0, stride: sw, offset: colOffset, limit: ow)
                    let hi = max(lo, Window2D.firstOutput(reaching: w, stride: sw, offset: colOffset, limit: ow))
                    for y in 0..<oh {
                        let iy = y * sh + rowOffset
                        if iy < 0 || iy >= h { continue }
                        let src = row + y * ow
                        let dst = plane + iy * w + colOffset
                        if sw == 1 {
                            for x in lo..<hi { dst[x] += src[x] }
                        } else {
                            for x in lo..<hi { dst[x * sw] += src[x] }
                        }
                    }
                    row += rowStride
                }
            }
        }
    }
}
