import Foundation

/// `batch_norm` and `batch_norm_grad`, with Paddle's slots and numerics.
///
/// Training normalizes each channel with the batch mean and the biased batch variance over
/// every axis but the channel one, updates the running statistics
/// (`MeanOut = Mean * momentum + batchMean * (1 - momentum)`, same for the variance) and saves
/// the batch mean and the inverse standard deviation 1/sqrt(var + eps) for the gradient.
/// With `is_test` (unless `trainable_statistics`) or `use_global_stats` the running Mean and
/// Variance normalize instead and MeanOut/VarianceOut keep them.
///
/// In real programs MeanOut is the same variable as Mean (and VarianceOut as Variance): the
/// kernel reads each running value before it writes the same element, so aliasing is safe.
enum BatchNormOps {
    static let attributes = [
        AttributeSpec("momentum", .float(0.9)),
        AttributeSpec("epsilon", .float(1e-5)),
        AttributeSpec("is_test", .bool(false)),
        AttributeSpec("data_layout", .string("NCHW")),
        AttributeSpec("use_global_stats", .bool(false)),
        AttributeSpec("trainable_statistics", .bool(false)),
        AttributeSpec.onlyDefault(
            "fuse_with_relu", .bool(false), "a ReLU fused into batch_norm is not implemented; put a relu op after it"),
    ]

    static let batchNorm = OpDefinition(
        OpSchema(
            "batch_norm",
            inputs: [
                SlotSpec("X"), SlotSpec("Scale"), SlotSpec("Bias"), SlotSpec("Mean"), SlotSpec("Variance"),
                .optional("MomentumTensor"),
            ],
            outputs: [
                SlotSpec("Y"), SlotSpec("MeanOut"), SlotSpec("VarianceOut"), SlotSpec("SavedMean"),
                SlotSpec("SavedVariance"), .optional("ReserveSpace"),
            ],
            attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            let channels = try channelCount(of: x, layout: try ctx.op.string("data_layout")) { ctx.error("X", $0) }
            for slot in ["Scale", "Bias", "Mean", "Variance"] {
                let p = try ctx.input(slot, dtype: .float32)
                guard p.rank == 1, dimsAgree(p.shape[0], channels) else {
                    throw ctx.error(
                        slot,
                        "\(slot) \(p.shape) must be a vector of \(channels) elements, one per channel of X \(x.shape)")
                }
            }
            if ctx.has("MomentumTensor") {
                try ctx.requireOneElement(try ctx.input("MomentumTensor", dtype: .float32), of: "MomentumTensor")
            }
            let stats = TensorMeta(.float32, [channels])
            ctx.setOutput("Y", x)
            ctx.setOutput("MeanOut", try ctx.input("Mean"))
            ctx.setOutput("VarianceOut", try ctx.input("Variance"))
            ctx.setOutput("SavedMean", stats)
            ctx.setOutput("SavedVariance", stats)
            ctx.setOutput("ReserveSpace", TensorMeta(.float32, [0]))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.output("Y")
            let scale = try ctx.input("Scale")
            let bias = try ctx.input("Bias")
            let mean = try ctx.input("Mean")
            let variance = try ctx.input("Variance")
            let meanOut = try ctx.output("MeanOut")
            let varianceOut = try ctx.output("VarianceOut")
            let savedMean = try ctx.output("SavedMean")
            let savedInvStd = try ctx.output("SavedVariance")
            let momentumTensor = ctx.inputIfPresent("MomentumTensor")
            let channelLast = try isChannelLast(ctx.op)
            let attrMomentum = try ctx.op.float("momentum")
            let eps = try ctx.op.float("epsilon")
            let global = try usesGlobalStats(ctx.op)
            return {
                let view = layoutView(x.shape, channelLast: channelLast)
                let momentum = momentumTensor?.floats[0] ?? attrMomentum
                let sm = savedMean.floats
                let sv = savedInvStd.floats
                if global {
                    let rm = mean.floats
                    let rv = variance.floats
                    for c in 0..<view.size {
                        sm[c] = rm[c]
                        sv[c] = 1 / (rv[c] + eps).squareRoot()
                    }
                    if meanOut !== mean { meanOut.floats.update(from: rm, count: view.size) }
                    if varianceOut !== variance { varianceOut.floats.update(from: rv, count: view.size) }
                } else {
                    trainingStatistics(
                        x.floats, view, eps: eps, momentum: momentum, savedMean: sm, savedInvStd: sv,
                        runningMean: mean.floats, runningVariance: variance.floats,
                        meanOut: meanOut.floats, varianceOut: varianceOut.floats)
                }
                normalize(x.floats, y.floats, view, mean: sm, invStd: sv, scale: scale.floats, bias: bias.floats)
            }
        },
        gradient: { g in
            var inputs = [
                "X": g.input("X"), "Scale": g.input("Scale"), "Bias": g.input("Bias"),
                "SavedMean": g.output("SavedMean"), "SavedVariance": g.output("SavedVariance"),
                "MeanOut": g.output("MeanOut"), "VarianceOut": g.output("VarianceOut"),
                gradName("Y"): g.outputGrad("Y"),
            ]
            if !g.output("ReserveSpace").isEmpty { inputs["ReserveSpace"] = g.output("ReserveSpace") }
            return [
                g.gradOp(
                    "batch_norm_grad", inputs: inputs,
                    outputs: [
                        gradName("X"): g.inputGrad("X"), gradName("Scale"): g.inputGrad("Scale"),
                        gradName("Bias"): g.inputGrad("Bias"),
                    ])
            ]
        })

    static let batchNormGrad = OpDefinition(
        OpSchema(
            "batch_norm_grad",
            inputs: [
                SlotSpec("X"), SlotSpec("Scale"), SlotSpec("Bias"), SlotSpec("SavedMean"),
                SlotSpec("SavedVariance"), SlotSpec(gradName("Y")), .optional("MeanOut"), .optional("VarianceOut"),
                .optional("Mean"), .optional("Variance"), .optional("ReserveSpace"),
            ],
            outputs: [.optional(gradName("X")), .optional(gradName("Scale")), .optional(gradName("Bias"))],
            attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            _ = try ctx.input(gradName("Y"), dtype: .float32, shapeOf: x, in: "X")
            for slot in ["Scale", "SavedMean", "SavedVariance", "MeanOut", "VarianceOut", "Mean", "Variance"]
            where ctx.has(slot) {
                _ = try ctx.input(slot, dtype: .float32)
            }
            ctx.setOutput(gradName("X"), x)
            ctx.setOutput(gradName("Scale"), try ctx.input("Scale"))
            ctx.setOutput(gradName("Bias"), try ctx.input("Bias"))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let dy = try ctx.input(gradName("Y"))
            let scale = try ctx.input("Scale")
            let channelLast = try isChannelLast(ctx.op)
            let dx = ctx.outputIfPresent(gradName("X"))
            let dscale = ctx.outputIfPresent(gradName("Scale"))
            let dbias = ctx.outputIfPresent(gradName("Bias"))
            let eps = try ctx.op.float("epsilon")
            let global = try usesGlobalStats(ctx.op)
            // Global statistics: the running ones (MeanOut holds them after the forward op;
            // fluid 1.x programs pass Mean/Variance); training: the saved batch statistics.
            let runningMean = ctx.inputIfPresent("MeanOut") ?? ctx.inputIfPresent("Mean")
            let runningVariance = ctx.inputIfPresent("VarianceOut") ?? ctx.inputIfPresent("Variance")
            let mean: Tensor
            let spread: Tensor
            let spreadIsVariance: Bool
            if global, let rm = runningMean, let rv = runningVariance {
                (mean, spread, spreadIsVariance) = (rm, rv, true)
            } else {
                (mean, spread, spreadIsVariance) = (try ctx.input("SavedMean"), try ctx.input("SavedVariance"), false)
            }
            return {
                backward(
                    x: x.floats, dy: dy.floats, layoutView(x.shape, channelLast: channelLast),
                    mean: mean.floats, spread: spread.floats, spreadIsVariance: spreadIsVariance, eps: eps,
                    global: global, scale: scale.floats, dx: dx?.floats, dscale: dscale?.floats, dbias: dbias?.floats)
            }
        })

    static let definitions = [batchNorm, batchNormGrad]

    /// Paddle's rule: the running statistics normalize when asked to, or in test mode unless
    /// the statistics are trainable.
    static func usesGlobalStats(_ op: OpDesc) throws -> Bool {
        let isTest = try op.bool("is_test")
        let trainable = try op.bool("trainable_statistics")
        return try op.bool("use_global_stats") || (isTest && !trainable)
    }

    /// Channel count of X for `layout` (NCHW and AnyLayout: dimension 1; NHWC: the last).
    static func channelCount(of x: TensorMeta, layout: String, fail: (String) -> FluidError) throws -> Int {
        guard (2...5).contains(x.rank) else {
            throw fail("X \(x.shape) must have rank 2 to 5 ([N, C] or [N, C, H, W] ...)")
        }
        switch layout {
        case "NCHW", "AnyLayout", "NCDHW": return x.shape[1]
        case "NHWC", "NDHWC": return x.shape[x.rank - 1]
        default: throw fail("data_layout '\(layout)' is not supported (use NCHW or NHWC) for X \(x.shape)")
        }
    }

    /// Whether the op's data_layout puts channels last (NHWC) rather than second (NCHW).
    static func isChannelLast(_ op: OpDesc) throws -> Bool {
        let layout = try op.string("data_layout")
        return layout == "NHWC" || layout == "NDHWC"
    }

    /// X as [outer, C, inner]: [N, C, H*W] for NCHW, [N*H*W, C, 1] for NHWC.
    static func layoutView(_ shape: [Int], channelLast: Bool) -> NNSupport.AxisView {
        NNSupport.AxisView(shape, axis: channelLast ? max(shape.count - 1, 0) : min(1, max(shape.count - 1, 0)))
    }

    /// Per-channel batch mean and biased variance (accumulated in Double, two passes so the
    /// variance does not cancel): saves the mean and 1/sqrt(var + eps), and updates the running
    /// statistics. Each running element is read before the same element of its output is
    /// written, so MeanOut may alias Mean and VarianceOut Variance.
    static func trainingStatistics(
        _ x: UnsafePointer<Float>, _ v: NNSupport.AxisView, eps: Float, momentum: Float,
        savedMean: UnsafeMutablePointer<Float>, savedInvStd: UnsafeMutablePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        meanOut: UnsafeMutablePointer<Float>, varianceOut: UnsafeMutablePointer<Float>
    ) {
        let (outer, channels, inner) = (v.outer, v.size, v.inner)
        let m = Double(outer * inner)
        NNSupport.forEachChunk(channels, workPerRow: outer * inner * 2) { range in
            for c in range {
                // One pass: the sum and the sum of squares in Double, whose 53 bits keep
                // E[x^2] - E[x]^2 exact to float rounding for any float channel short of a
                // mean 10^4 times its standard deviation.
                var sum = 0.0
                var sumOfSquares = 0.0
                for o in 0..<outer {
                    let p = x + (o * channels + c) * inner
                    for i in 0..<inner {
                        let value = Double(p[i])
                        sum += value
                        sumOfSquares += value * value
                    }
                }
                let mu = m > 0 ? sum / m : 0
                let variance = m > 0 ? max(sumOfSquares / m - mu * mu, 0) : 0
                savedMean[c] = Float(mu)
                savedInvStd[c] = Float(1 / (variance + Double(eps)).squareRoot())
                let keep = Double(momentum)
                let rm = Double(runningMean[c])
                let rv = Double(runningVariance[c])
                meanOut[c] = Float(rm * keep + mu * (1 - keep))
                varianceOut[c] = Float(rv * keep + variance * (1 - keep))
            }
        }
    }

    /// y = (x - mean) * invStd * scale + bias per channel.
    static func normalize(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ v: NNSupport.AxisView,
        mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
        scale: UnsafePointer<Float>, bias: UnsafePointer<Float>
    ) {
        let (outer, channels, inner) = (v.outer, v.size, v.inner)
        NNSupport.forEachChunk(outer, workPerRow: channels * inner * 2) { rows in
            for o in rows {
                for c in 0..<channels {
                    let a = scale[c] * invStd[c]
                    let b = bias[c] - mean[c] * a
                    let offset = (o * channels + c) * inner
                    let px = x + offset
                    let py = y + offset
                    for i in 0..<inner { py[i] = px[i] * a + b }
                }
            }
        }
    }

    /// dbias = sum dy, dscale = sum dy * xhat; training: dx = scale * invStd / M *
    /// (M * dy - dbias - xhat * dscale); global statistics: dx = dy * scale * invStd.
    /// `spread` is the inverse standard deviation, or the variance when `spreadIsVariance`.
    static func backward(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, _ v: NNSupport.AxisView,
        mean: UnsafePointer<Float>, spread: UnsafePointer<Float>, spreadIsVariance: Bool,
        eps: Float, global: Bool, scale: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dscale: UnsafeMutablePointer<Float>?,
        dbias: UnsafeMutablePointer<Float>?
    ) {
        let (outer, channels, inner) = (v.outer, v.size, v.inner)
        let m = Float(outer * inner)
        NNSupport.forEachChunk(channels, workPerRow: outer * inner * 4) { range in
            for c in range {
                let mu = mean[c]
                let invStd = spreadIsVariance ? 1 / (spread[c] + eps).squareRoot() : spread[c]
                var sumDy = 0.0
                var sumDyXhat = 0.0
                for o in 0..<outer {
                    let offset = (o * channels + c) * inner
                    let px = x + offset
                    let pdy = dy + offset
                    for i in 0..<inner {
                        sumDy += Double(pdy[i])
                        sumDyXhat += Double(pdy[i]) * Double((px[i] - mu) * invStd)
                    }
                }
                dbias?[c] = Float(sumDy)
                dscale?[c] = Float(sumDyXhat)
                guard let dx else { continue }
                let k = scale[c] * invStd
                let meanDy = global || m == 0 ? 0 : Float(sumDy) / m
                let meanDyXhat = global || m == 0 ? 0 : Float(sumDyXhat) / m
                for o in 0..<outer {
                    let offset = (o * channels + c) * inner
                    let px = x + offset
                    let pdy = dy + offset
                    let pdx = dx + offset
                    for i in 0..<inner {
                        let xhat = (px[i] - mu) * invStd
                        pdx[i] = k * (pdy[i] - meanDy - xhat * meanDyXhat)
                    }
                }
            }
        }
    }
}
