/// `conv2d` and `conv2d_grad`, NCHW float32, as Paddle defines them: Input [N, C, H, W],
/// Filter [M, C / groups, kh, kw], Output [N, M, Ho, Wo]; no bias (Paddle adds it with a
/// separate `elementwise_add`).
///
/// Kernels are im2col + GEMM per group. Samples with small outputs are processed in blocks
/// whose column matrices sit side by side, so each group needs one GEMM of a useful size per
/// block rather than many tiny ones; OpenBLAS threads that GEMM, and the im2col / col2im /
/// copies around it are split over samples. Workspaces are allocated once, on a kernel's first
/// step.
enum ConvOps {
    static let attributes: [AttributeSpec] = [
        AttributeSpec("strides", .ints([1, 1])),
        AttributeSpec("paddings", .ints([0, 0])),
        AttributeSpec("padding_algorithm", .string("EXPLICIT")),
        AttributeSpec("dilations", .ints([1, 1])),
        AttributeSpec("groups", .int(1)),
        AttributeSpec("data_format", .string("NCHW")),
        // Read by Paddle's GPU and oneDNN kernels only.
        AttributeSpec("use_cudnn", .bool(false)),
        AttributeSpec("use_mkldnn", .bool(false)),
        AttributeSpec("exhaustive_search", .bool(false)),
        AttributeSpec("workspace_size_MB", .int(512)),
        AttributeSpec("is_test", .bool(false)),
    ]

    static let conv2d = OpDefinition(
        OpSchema(
            "conv2d", inputs: [SlotSpec("Input"), SlotSpec("Filter")], outputs: [SlotSpec("Output")],
            attributes: attributes),
        inferShape: { ctx in
            let g = try Conv2DGeometry(
                op: ctx.op, input: try ctx.input("Input", dtype: .float32),
                filter: try ctx.input("Filter", dtype: .float32))
            ctx.setOutput("Output", TensorMeta(.float32, g.outputShape))
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let out = try ctx.output("Output")
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard out.count == work.outputCount else {
                    throw ctx.error("Output has shape \(out.shape), expected \(work.g.outputShape)")
                }
                work.forward(x: x.floats, w: w.floats, out: out.floats)
            }
        },
        gradient: { g in
            let dInput = g.inputGrad("Input")
            let dFilter = g.inputGrad("Filter")
            if dInput.isEmpty && dFilter.isEmpty { return [] }
            return [
                g.gradOp(
                    "conv2d_grad",
                    inputs: [
                        "Input": g.input("Input"), "Filter": g.input("Filter"),
                        gradName("Output"): g.outputGrad("Output"),
                    ],
                    outputs: [gradName("Input"): dInput, gradName("Filter"): dFilter])
            ]
        })

    static let conv2dGrad = OpDefinition(
        OpSchema(
            "conv2d_grad", inputs: [SlotSpec("Input"), SlotSpec("Filter"), SlotSpec(gradName("Output"))],
            outputs: [.optional(gradName("Input")), .optional(gradName("Filter"))], attributes: attributes),
        inferShape: { ctx in
            let input = try ctx.input("Input", dtype: .float32)
            let filter = try ctx.input("Filter", dtype: .float32)
            let g = try Conv2DGeometry(op: ctx.op, input: input, filter: filter)
            _ = try ctx.input(
                gradName("Output"), dtype: .float32, shapeOf: TensorMeta(.float32, g.outputShape), in: "Output")
            ctx.setOutput(gradName("Input"), input)
            ctx.setOutput(gradName("Filter"), filter)
        },
        kernel: { ctx in
            let x = try ctx.input("Input")
            let w = try ctx.input("Filter")
            let dOut = try ctx.input(gradName("Output"))
            let dx = ctx.outputIfPresent(gradName("Input"))
            let dw = ctx.outputIfPresent(gradName("Filter"))
            if dx == nil && dw == nil { return {} }
            let state = ConvKernelState(ctx.op)
            return {
                let work = try state.workspace(x, w)
                guard dOut.count == work.outputCount, dOut.dtype == .float32 else {
                    throw ctx.error(
                        "Output@GRAD has shape \(dOut.dtype)\(dOut.shape), expected float32\(work.g.outputShape)")
                }
                work.backward(x: x.floats, w: w.floats, dOut: dOut.floats, dx: dx?.floats, dw: dw?.floats)
            }
        })

    static let definitions = [conv2d, conv2dGrad]
}

/// What a bound conv2d or conv2d_grad kernel keeps between steps: its geometry and workspace,
/// built on the first step and rebuilt only if the operands' shapes change.
final class ConvKernelState {
    private let op: OpDesc
    private var current: ConvWorkspace?

    init(_ op: OpDesc) { self.op = op }

    func workspace(_ x: Tensor, _ w: Tensor) throws -> ConvWorkspace {
        if let current, current.inputShape == x.shape,
            current.filterShape == w.shape
        {
            return current
        }
        let g = try Conv2DGeometry(op: op, input: TensorMeta(x.dtype, x.shape), filter: TensorMeta(w.dtype, w.shape))
        let fresh = ConvWorkspace(g)
        current = fresh
        return fresh
    }
}

/// Column and staging buffers for one geometry, and the blocked GEMM loops.
final class ConvWorkspace {
    let g: Conv2DGeometry
    /// Samples whose column matrices are built side by side for one GEMM.
    let block: Int
    /// Column matrix of a block: columnRows x (block * outputPlane).
    let columns: Tensor
    /// One group's output (or output gradient) of a block laid out as the GEMM sees it:
    /// outChannelsPerGroup x (block * outputPlane). Unused when the block holds one sample.
    let staging: Tensor
    let inputShape: [Int], filterShape: [Int]
    let filterCount: Int, outputCount: Int

    /// GEMM columns (samples x output positions) a block aims for. Measured on the tutorial's
    /// shapes (release, OpenBLAS SkylakeX kernel): one sample of 24 x 24 outputs runs fastest
    /// alone (OpenBLAS's small-matrix path, the column matrix stays in L2), while 8 x 8 outputs
    /// need about 8 samples side by side before the GEMM runs near full speed.
    static let defaultTargetColumns = 512
    /// Floats a block's column matrix may take (8 MB), whatever the target.
    static let defaultColumnBudget = 1 << 21

    init(_ g: Conv2DGeometry, targetColumns: Int = defaultTargetColumns, columnBudget: Int = defaultColumnBudget) {
        self.g = g
        let perSample = max(g.columnRows * g.outputPlane, 1)
        let wanted = (targetColumns + g.outputPlane - 1) / max(g.outputPlane, 1)
        block = max(1, min(g.batch, wanted, columnBudget / perSample))
        columns = Tensor(uncheckedDType: .float32, shape: [g.columnRows * block * g.outputPlane])
        staging = Tensor(
            uncheckedDType: .float32, shape: [block > 1 ? g.outChannelsPerGroup * block * g.outputPlane : 0])
        inputShape = [g.batch, g.inChannels, g.height, g.width]
        filterShape = [g.outChannels, g.inChannelsPerGroup, g.kernelH, g.kernelW]
        filterCount = g.outChannels * g.columnRows
        outputCount = g.batch * g.outChannels * g.outputPlane
    }

    /// Builds the column matrix of samples [first, first + count) for `group`.
    private func fillColumns(
        _ x: UnsafePointer<Float>, first: Int, count: Int, group: Int, _ col: UnsafeMutablePointer<Float>
    ) {
        let g = self.g
        let plane = g.outputPlane
        let ld = count * plane
        let groupOffset = group * g.inChannelsPerGroup * g.inputPlane
        let sampleSize = g.inChannels * g.inputPlane
        parallelFor(count, work: g.columnRows * ld) { j in
            Im2Col.im2col(x + (first + j) * sampleSize + groupOffset, g, into: col + j * plane, rowStride: ld)
        }
    }

    /// Pointer to the first output channel of `group` for sample `n`.
    @inline(__always)
    private func outputOffset(sample n: Int, group: Int) -> Int {
        (n * g.outChannels + group * g.outChannelsPerGroup) * g.outputPlane
    }

    /// Copies between a block's staging matrix (row m, sample j at column j * plane) and the
    /// NCHW output of `group`.
    private func exchange(
        staging s: UnsafeMutablePointer<Float>, output o: UnsafeMutablePointer<Float>,
        first: Int, count: Int, group: Int, toOutput: Bool
    ) {
        let plane = g.outputPlane
        let rows = g.outChannelsPerGroup
        let ld = count * plane
        parallelFor(count, work: rows * ld) { j in
            let sample = o + self.outputOffset(sample: first + j, group: group)
            for m in 0..<rows {
                let st = s + m * ld + j * plane
                let nchw = sample + m * plane
                if toOutput { nchw.update(from: st, count: plane) } else { st.update(from: nchw, count: plane) }
            }
        }
    }

    func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let (rows, k, plane) = (g.outChannelsPerGroup, g.columnRows, g.outputPlane)
        let col = columns.floats
        for first in stride(from: 0, to: g.batch, by: block) {
            let count = min(block, g.batch - first)
            let ld = count * plane
            for group in 0..<g.groups {
                fillColumns(x, first: first, count: count, group: group, col)
                let filter = w + group * rows * k
                if count == 1 {
                    sgemm(
                        m: rows, n: plane, k: k, a: filter, b: col, c: out + outputOffset(sample: first, group: group))
                } else {
                    sgemm(m: rows, n: ld, k: k, a: filter, b: col, c: staging.floats)
                    exchange(
                        staging: staging.floats, output: out, first: first, count: count, group: group, toOutput: true)
                }
            }
        }
    }

    /// Filter@GRAD = sum over samples of dOut x col^T; Input@GRAD = col2im(Filter^T x dOut).
    /// Either output may be nil (nobody needs it).
    func backward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, dOut: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?
    ) {
        let (rows, k, plane) = (g.outChannelsPerGroup, g.columnRows, g.outputPlane)
        let col = columns.floats
        if let dw, g.batch == 0 { dw.update(repeating: 0, count: filterCount) }
        for first in stride(from: 0, to: g.batch, by: block) {
            let count = min(block, g.batch - first)
            let ld = count * plane
            for group in 0..<g.groups {
                let gradBlock: UnsafeMutablePointer<Float>
                if count == 1 {
                    gradBlock = dOut + outputOffset(sample: first, group: group)
                } else {
                    gradBlock = staging.floats
                    exchange(
                        staging: gradBlock, output: dOut, first: first, count: count, group: group, toOutput: false)
                }
                if let dw {
                    fillColumns(x, first: first, count: count, group: group, col)
                    sgemm(
                        transB: true, m: rows, n: k, k: ld, a: gradBlock, b: col,
                        beta: first == 0 ? 0 : 1, c: dw + group * rows * k)
                }
                if let dx {
                    sgemm(transA: true, m: k, n: ld, k: rows, a: w + group * rows * k, b: gradBlock, c: col)
                    let g = self.g
                    let sampleSize = g.inChannels * g.inputPlane
                    let groupOffset = group * g.inChannelsPerGroup * g.inputPlane
                    parallelFor(count, work: k * ld) { j in
                        let target = dx + (first + j) * sampleSize + groupOffset
                        target.update(repeating: 0, count: g.inChannelsPerGroup * g.inputPlane)
                        Im2Col.col2im(col + j * plane, rowStride: ld, g, addingInto: target)
                    }
                }
            }
        }
    }
}
