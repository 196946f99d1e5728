/// The sizes of one `conv2d`: operand shapes, decoded attributes, resolved padding and output
/// size, checked as Paddle checks them. Built from metas, so it serves shape inference (where
/// sizes may be -1) and kernel binding (concrete sizes) alike.
struct Conv2DGeometry {
    var batch: Int, inChannels: Int, height: Int, width: Int
    var outChannels: Int, kernelH: Int, kernelW: Int
    var strideH: Int, strideW: Int, dilationH: Int, dilationW: Int
    var padding: Padding2D
    var groups: Int
    var outHeight: Int, outWidth: Int

    var inChannelsPerGroup: Int { inChannels / groups }
    var outChannelsPerGroup: Int { outChannels / groups }
    /// Rows of a column matrix: one per (channel of a group, kernel row, kernel column).
    var columnRows: Int { inChannelsPerGroup * kernelH * kernelW }
    var inputPlane: Int { height * width }
    var outputPlane: Int { outHeight * outWidth }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// Decodes `op`'s attributes against the Input and Filter metas (whose dtypes shape
    /// inference has checked); throws errors that name the op, the slot at fault and both shapes.
    init(op: OpDesc, input: TensorMeta, filter: TensorMeta) throws {
        let both = "Input \(input.shape), Filter \(filter.shape)"
        func mismatch(_ slot: String, _ message: String) -> FluidError {
            .shapeMismatch(op: op.type, slot: slot, message: message)
        }
        guard input.rank == 4 else {
            throw mismatch(
                "Input",
                "should be a 4-D NCHW tensor, but Input \(input.shape) has rank \(input.rank) (Filter \(filter.shape))")
        }
        guard filter.rank == 4 else {
            throw mismatch(
                "Filter",
                "should be a 4-D [out channels, in channels / groups, height, width] tensor, but Filter \(filter.shape) has rank \(filter.rank) (Input \(input.shape))"
            )
        }
        try Window2D.checkChannelFirst(op)

        groups = try op.int("groups")
        guard groups >= 1 else {
            throw FluidError.attribute(op: op.type, name: "groups", message: "should be at least 1, found \(groups)")
        }
        (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        (outChannels, kernelH, kernelW) = (filter.shape[0], filter.shape[2], filter.shape[3])
        // A 0-sized kernel would make the output larger than the input (Paddle refuses it too).
        if (kernelH >= 0 && kernelH < 1) || (kernelW >= 0 && kernelW < 1) {
            throw mismatch(
                "Filter", "has a \(kernelH) x \(kernelW) kernel, but kernel sizes must be at least 1 (\(both))")
        }
        if outChannels >= 0 && outChannels % groups != 0 {
            throw mismatch(
                "Filter", "has \(outChannels) output channels, which groups = \(groups) does not divide (\(both))")
        }
        if filter.shape[1] >= 0 && !dimsAgree(filter.shape[1] * groups, inChannels) {
            throw mismatch(
                "Filter",
                "has \(filter.shape[1]) input channels x \(groups) groups = \(filter.shape[1] * groups), but Input has \(inChannels) channels (\(both))"
            )
        }
        if inChannels < 0 && filter.shape[1] >= 0 { inChannels = filter.shape[1] * groups }

        (strideH, strideW) = try Window2D.pair(op, "strides")
        (dilationH, dilationW) = try Window2D.pair(op, "dilations")
        let algorithm = try Window2D.algorithm(op)
        padding = Window2D.resolve(
            algorithm, explicit: try Window2D.explicitPadding(op), height: height, width: width,
            kernel: (kernelH, kernelW), stride: (strideH, strideW))
        // Paddle sizes SAME padding from the undilated kernel and then runs without dilation.
        if algorithm == .same { (dilationH, dilationW) = (1, 1) }

        outHeight = Self.outputSize(height, kernelH, dilationH, padding.top, padding.bottom, strideH)
        outWidth = Self.outputSize(width, kernelW, dilationW, padding.left, padding.right, strideW)
        if outHeight == 0 || outWidth == 0 {
            throw mismatch(
                "Input",
                "is too small for the filter: the output would be \(outHeight) x \(outWidth) with paddings \(padding), strides [\(strideH), \(strideW)] and dilations [\(dilationH), \(dilationW)] (\(both))"
            )
        }
    }

    /// (size + padding - dilated kernel) / stride + 1, as Paddle computes it; -1 when unknown,
    /// 0 when the window does not fit.
    static func outputSize(_ size: Int, _ kernel: Int, _ dilation: Int, _ before: Int, _ after: Int, _ stride: Int)
        -> Int
    {
        guard size >= 0, kernel >= 0, before >= 0 else { return -1 }
        let out = (size + before + after - (dilation * (kernel - 1) + 1)) / stride + 1
        return max(out, 0)
    }
}
