/// Column and staging buffers for one conv2d geometry, and the loops that run its GEMMs.
///
/// The batch is cut into one contiguous range of samples per core ("pieces"), each worked
/// through by one thread with single-threaded GEMMs on buffers of its own: the tutorial's
/// per-image GEMMs (20 x 576 x 25, 50 x 64 x 500) are far too small for a threaded GEMM to pay,
/// while whole samples split perfectly. Within a piece, samples with small outputs are taken
/// in blocks whose column matrices sit side by side, so each group runs one GEMM of a useful
/// size per block. The filter gradient is summed per piece, then over pieces in a fixed order:
/// results depend on the core count, never on the threads allowed. A batch too small to split
/// (batch-1 inference) runs on the calling thread, where large GEMMs split themselves.
/// Buffers are allocated once, on a kernel's first step.
///
/// `fused_conv2d` adds its bias and relu to each block while the block is in cache, and its
/// gradient masks Output@GRAD and sums the bias gradient in the same pass that stages it for
/// the GEMMs.
import CFluidSupport

final class ConvWorkspace {
    static let engineDescription =
        "im2col + single-threaded OpenBLAS sgemm per group, samples split over the cores, in blocks"

    let g: Conv2DGeometry
    private let planes: FluidConvPlanes
    let inputShape: [Int], filterShape: [Int]
    let filterCount: Int, outputCount: Int
    /// Sample ranges worked through in parallel, and the samples a GEMM takes at once.
    let pieces: Int, block: Int
    /// Per piece: its column matrix (columnRows x block * outputPlane), its staging matrix (one
    /// group's output block as the GEMM sees it: outChannelsPerGroup x block * outputPlane) and
    /// its partial filter and bias gradients.
    private let columns: Tensor, staging: Tensor, partialFilterGradients: Tensor, partialBiasGradients: Tensor
    private let columnSize: Int, stagingSize: Int

    /// GEMM columns (samples x output positions) a block aims for, and the floats its column
    /// matrix may take. Single-threaded OpenBLAS runs 50 x 128 x 500 as fast as 50 x 512 x 500
    /// (68 against 67 GFLOP/s on a Zen 3 core), and a 128-column block of the tutorial's second
    /// conv (256 KB) stays in L2 between im2col and the GEMM, where a 512-column one (1 MB)
    /// spilled and made im2col store-bound: 12.2-12.7 against 13.7-14.6 ms per CNN step.
    static let defaultTargetColumns = 128
    static let defaultColumnBudget = 1 << 16

    init(_ g: Conv2DGeometry, targetColumns: Int = defaultTargetColumns, columnBudget: Int = defaultColumnBudget) {
        self.g = g
        planes = g.planes
        inputShape = [g.batch, g.inChannels, g.height, g.width]
        filterShape = [g.outChannels, g.inChannelsPerGroup, g.kernelH, g.kernelW]
        filterCount = g.outChannels * g.columnRows
        outputCount = g.batch * g.outChannels * g.outputPlane
        pieces = max(1, min(coreCount, g.batch))
        let perSample = max(g.columnRows * g.outputPlane, 1)
        let wanted = (targetColumns + g.outputPlane - 1) / max(g.outputPlane, 1)
        let samplesPerPiece = (g.batch + pieces - 1) / pieces
        block = max(1, min(samplesPerPiece, wanted, columnBudget / perSample))
        columnSize = g.columnRows * block * g.outputPlane
        stagingSize = g.outChannelsPerGroup * block * g.outputPlane
        columns = Tensor(uncheckedDType: .float32, shape: [pieces * columnSize])
        staging = Tensor(uncheckedDType: .float32, shape: [pieces * stagingSize])
        partialFilterGradients = Tensor(uncheckedDType: .float32, shape: [pieces > 1 ? pieces * filterCount : 0])
        partialBiasGradients = Tensor(uncheckedDType: .float32, shape: [pieces * g.outChannels])
    }

    /// Runs `body(piece, firstSample, sampleCount)` for every piece, in parallel when there are several.
    @inline(__always)
    private func forEachPiece(_ body: (Int, Int, Int) -> Void) {
        let batch = g.batch
        let pieces = self.pieces
        if pieces == 1 { return body(0, 0, batch) }
        parallelFor(pieces, work: Int.max) { p in
            let first = p * batch / pieces
            body(p, first, (p + 1) * batch / pieces - first)
        }
    }

    /// Offset of the first output channel of `group` for sample `n`.
    @inline(__always)
    private func outputOffset(sample n: Int, group: Int) -> Int {
        (n * g.outChannels + group * g.outChannelsPerGroup) * g.outputPlane
    }

    /// Builds the column matrix of samples [first, first + count) for `group`.
    private func fillColumns(
        _ x: UnsafePointer<Float>, first: Int, count: Int, group: Int, _ col: UnsafeMutablePointer<Float>
    ) {
        let plane = g.outputPlane
        let ld = count * plane
        let groupOffset = group * g.inChannelsPerGroup * g.inputPlane
        let sampleSize = g.inChannels * g.inputPlane
        for j in 0..<count {
            Im2Col.im2col(x + (first + j) * sampleSize + groupOffset, planes, into: col + j * plane, rowStride: ld)
        }
    }

    /// Copies between a block's staging matrix (row m, sample j at column j * plane) and the
    /// NCHW output of `group`.
    private func exchange(
        staging s: UnsafeMutablePointer<Float>, output o: UnsafeMutablePointer<Float>,
        first: Int, count: Int, group: Int, toOutput: Bool
    ) {
        let plane = g.outputPlane
        let ld = count * plane
        for j in 0..<count {
            let sample = o + outputOffset(sample: first + j, group: group)
            for m in 0..<g.outChannelsPerGroup {
                let st = s + m * ld + j * plane
                let nchw = sample + m * plane
                if toOutput { nchw.update(from: st, count: plane) } else { st.update(from: nchw, count: plane) }
            }
        }
    }

    /// Output = conv(x, w), then + bias per output channel and relu when given.
    func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
        bias: UnsafePointer<Float>? = nil, relu: Bool = false
    ) {
        let (rows, k, plane) = (g.outChannelsPerGroup, g.columnRows, g.outputPlane)
        forEachPiece { piece, start, samples in
            let col = columns.floats + piece * columnSize
            let stage = staging.floats + piece * stagingSize
            for first in stride(from: start, to: start + samples, by: block) {
                let count = min(block, start + samples - first)
                for group in 0..<g.groups {
                    fillColumns(x, first: first, count: count, group: group, col)
                    let filter = w + group * rows * k
                    if count == 1 {
                        sgemm(
                            m: rows, n: plane, k: k, a: filter, b: col,
                            c: out + outputOffset(sample: first, group: group))
                    } else {
                        sgemm(m: rows, n: count * plane, k: k, a: filter, b: col, c: stage)
                        exchange(staging: stage, output: out, first: first, count: count, group: group, toOutput: true)
                    }
                    if bias != nil || relu {
                        addBiasAndActivate(out, bias: bias, relu: relu, first: first, count: count, group: group)
                    }
                }
            }
        }
    }

    /// Filter@GRAD = sum over samples of dOut x col^T; Input@GRAD = col2im(Filter^T x dOut).
    /// Either output may be nil (nobody needs it). For a fused conv, `reluOutput` (the relu's
    /// output) masks dOut first, and `dBias` receives dOut's (masked) sum per output channel.
    func backward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, dOut: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
        reluOutput: UnsafePointer<Float>? = nil, dBias: UnsafeMutablePointer<Float>? = nil
    ) {
        let fused = reluOutput != nil || dBias != nil
        let (rows, k, plane) = (g.outChannelsPerGroup, g.columnRows, g.outputPlane)
        if let dw, g.batch == 0 { dw.update(repeating: 0, count: filterCount) }
        let sampleSize = g.inChannels * g.inputPlane
        let groupSize = g.inChannelsPerGroup * g.inputPlane
        forEachPiece { piece, start, samples in
            let col = columns.floats + piece * columnSize
            let stage = staging.floats + piece * stagingSize
            let filterGradient = pieces == 1 ? dw : partialFilterGradients.floats + piece * filterCount
            let biasGradient = partialBiasGradients.floats + piece * g.outChannels
            if fused { biasGradient.update(repeating: 0, count: g.outChannels) }
            for first in stride(from: start, to: start + samples, by: block) {
                let count = min(block, start + samples - first)
                for group in 0..<g.groups {
                    let gradBlock: UnsafeMutablePointer<Float>
                    if fused {
                        gradBlock = stage
                        stageMaskedGradient(
                            dOut, mask: reluOutput, into: stage, biasSums: biasGradient, first: first, count: count,
                            group: group)
                    } else if count == 1 {
                        gradBlock = dOut + outputOffset(sample: first, group: group)
                    } else {
                        gradBlock = stage
                        exchange(
                            staging: stage, output: dOut, first: first, count: count, group: group, toOutput: false)
                    }
                    if let filterGradient, dw != nil {
                        fillColumns(x, first: first, count: count, group: group, col)
                        sgemm(
                            transB: true, m: rows, n: k, k: count * plane, a: gradBlock, b: col,
                            beta: first == start ? 0 : 1, c: filterGradient + group * rows * k)
                    }
                    if let dx {
                        sgemm(
                            transA: true, m: k, n: count * plane, k: rows, a: w + group * rows * k, b: gradBlock, c: col
                        )
                        for j in 0..<count {
                            let target = dx + (first + j) * sampleSize + group * groupSize
                            target.update(repeating: 0, count: groupSize)
                            Im2Col.col2im(col + j * plane, rowStride: count * plane, planes, addingInto: target)
                        }
                    }
                }
            }
        }
        if let dw, pieces > 1 { sumPartialFilterGradients(into: dw) }
        if let dBias {
            let partial = partialBiasGradients.floats
            for m in 0..<g.outChannels {
                var sum = Float(0)
                for p in 0..<pieces { sum += partial[p * g.outChannels + m] }
                dBias[m] = sum
            }
        }
    }

    /// out[n, m] = relu(out[n, m] + bias[m]) for the block's samples and the group's channels.
    private func addBiasAndActivate(
        _ out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool, first: Int, count: Int, group: Int
    ) {
        let groupBias = bias.map { $0 + group * g.outChannelsPerGroup }
        for j in 0..<count {
            fluid_add_bias_relu(
                out + outputOffset(sample: first + j, group: group), groupBias, g.outChannelsPerGroup, g.outputPlane,
                relu ? 1 : 0)
        }
    }

    /// Stages the block's dOut for the GEMMs (as `exchange`), zeroed where the relu's output
    /// is not positive, and adds each channel's staged sum to `biasSums`.
    private func stageMaskedGradient(
        _ dOut: UnsafePointer<Float>, mask: UnsafePointer<Float>?, into stage: UnsafeMutablePointer<Float>,
        biasSums: UnsafeMutablePointer<Float>, first: Int, count: Int, group: Int
    ) {
        let plane = g.outputPlane
        for j in 0..<count {
            let offset = outputOffset(sample: first + j, group: group)
            fluid_stage_gradient(
                dOut + offset, mask.map { $0 + offset }, g.outChannelsPerGroup, plane, stage + j * plane,
                count * plane, biasSums + group * g.outChannelsPerGroup)
        }
    }

    /// dw = the pieces' partial sums, added in piece order, split over the cores by element.
    private func sumPartialFilterGradients(into dw: UnsafeMutablePointer<Float>) {
        let partial = partialFilterGradients.floats
        let (count, pieces) = (filterCount, self.pieces)
        let chunk = 4096
        parallelFor((count + chunk - 1) / chunk, work: count * pieces) { c in
            let range = c * chunk..<min(count, (c + 1) * chunk)
            for i in range { dw[i] = partial[i] }
            for p in 1..<pieces {
                let part = partial + p * count
                for i in range { dw[i] += part[i] }
            }
        }
    }
}
