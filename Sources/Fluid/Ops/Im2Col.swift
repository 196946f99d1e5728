import CFluidSupport

/// Conversions between one sample's input planes and the column matrix that turns a
/// convolution into a GEMM. The column matrix has one row per (channel, kernel row, kernel
/// column) of a group and one column per output position; several samples share a matrix
/// side by side, so each call writes `outputPlane` columns of rows `rowStride` apart.
/// The loops are C (conv_glue.c), built for the CPU's vector width.
enum Im2Col {
    /// Fills the columns of one sample and group from `x` (its first channel of the group);
    /// positions that fall into the padding get zero.
    @inline(__always)
    static func im2col(
        _ x: UnsafePointer<Float>, _ planes: FluidConvPlanes,
        into col: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        fluid_im2col(x, planes, col, rowStride)
    }

    /// Adds the columns of one sample and group back onto `dx` (its first channel of the
    /// group): the adjoint of `im2col`. Entries that came from padding are dropped.
    @inline(__always)
    static func col2im(
        _ col: UnsafePointer<Float>, rowStride: Int, _ planes: FluidConvPlanes,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        fluid_col2im(col, rowStride, planes, dx)
    }
}

extension Conv2DGeometry {
    /// One group's input planes, as the C loops take them.
    var planes: FluidConvPlanes {
        FluidConvPlanes(
            channels: inChannelsPerGroup, height: height, width: width, kernelH: kernelH, kernelW: kernelW,
            strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW,
            padTop: padding.top, padLeft: padding.left, outHeight: outHeight, outWidth: outWidth)
    }
}
