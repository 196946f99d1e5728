import Foundation

/// `softmax_with_cross_entropy` (Logits, Label -> Softmax, Loss) and its grad
/// (Label, Softmax, Loss@GRAD -> Logits@GRAD), classes along `axis` (any axis: Logits is viewed
/// as [outer, classes, inner]; Loss has the classes dimension collapsed to 1).
///
/// With `use_softmax` the loss is computed from log-sum-exp, finite even when a probability
/// underflows: Loss = log(sum(exp(x - max))) + max - x[label], and the gradient is
/// (Softmax - onehot(label)) * dLoss (soft labels: (Softmax - Label) * dLoss).
/// Without it (what Paddle 3.3.1 emits when the network already ends in `softmax`), Logits are
/// probabilities: Softmax = Logits, Loss = -log(Logits[label]) and the gradient is
/// -dLoss / Softmax[label] at the label, 0 elsewhere (soft labels: -dLoss * Label / Softmax).
/// Hard labels equal to ignore_index give a zero loss and gradient.
enum SoftmaxWithCrossEntropyOps {
    static let attributes = [
        AttributeSpec("soft_label", .bool(false)),
        AttributeSpec("use_softmax", .bool(true)),
        AttributeSpec("ignore_index", .int(-100)),
        AttributeSpec("axis", .int(-1)),
        AttributeSpec("numeric_stable_mode", .bool(true)),
    ]

    /// Decoded attributes, and the [outer, classes, inner] view of the scores set each step.
    struct Config {
        var soft: Bool
        var useSoftmax: Bool
        var ignore: Int64
        var axis: Int
        var view = NNSupport.AxisView(outer: 0, size: 0, inner: 0)

        init(_ op: OpDesc) throws {
            soft = try op.bool("soft_label")
            useSoftmax = try op.bool("use_softmax")
            ignore = Int64(try op.int("ignore_index"))
            axis = try op.int("axis")
        }

        /// This configuration with the view of scores of `shape`.
        func viewing(_ shape: [Int]) -> Config {
            var c = self
            c.view = NNSupport.AxisView(shape, signedAxis: axis)
            return c
        }
    }

    static let softmaxWithCrossEntropy = OpDefinition(
        OpSchema(
            "softmax_with_cross_entropy", inputs: [SlotSpec("Logits"), SlotSpec("Label")],
            outputs: [SlotSpec("Softmax"), SlotSpec("Loss")], attributes: attributes),
        inferShape: { ctx in
            let logits = try ctx.input("Logits", dtype: .float32)
            let axis = try checkLabel(&ctx, scores: logits, scoresSlot: "Logits")
            ctx.setOutput("Softmax", logits)
            ctx.setOutput("Loss", TensorMeta(logits.dtype, NNSupport.collapsing(logits.shape, axis: axis)))
        },
        kernel: { ctx in
            let logits = try ctx.input("Logits")
            let label = try ctx.input("Label")
            let softmax = try ctx.output("Softmax")
            let loss = try ctx.output("Loss")
            let config = try Config(ctx.op)
            return {
                let c = config.viewing(logits.shape)
                if !c.soft { try validate(ctx, label.pointer(as: Int64.self), c) }
                if c.useSoftmax {
                    softmaxLoss(logits.floats, softmax.floats, loss.floats, label.rawPointer, c)
                } else {
                    softmax.floats.update(from: logits.floats, count: logits.count)
                    probabilityLoss(logits.floats, loss.floats, label.rawPointer, c)
                }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "softmax_with_cross_entropy_grad",
                    inputs: [
                        "Label": g.input("Label"), "Softmax": g.output("Softmax"),
                        gradName("Loss"): g.outputGrad("Loss"),
                    ],
                    outputs: [gradName("Logits"): g.inputGrad("Logits")])
            ]
        })

    static let softmaxWithCrossEntropyGrad = OpDefinition(
        OpSchema(
            "softmax_with_cross_entropy_grad",
            inputs: [SlotSpec("Label"), SlotSpec("Softmax"), SlotSpec(gradName("Loss"))],
            outputs: [SlotSpec(gradName("Logits"))], attributes: attributes),
        inferShape: { ctx in
            let softmax = try ctx.input("Softmax", dtype: .float32)
            let dloss = try ctx.input(gradName("Loss"), dtype: .float32)
            let axis = try checkLabel(&ctx, scores: softmax, scoresSlot: "Softmax")
            let rows = knownProduct(NNSupport.collapsing(softmax.shape, axis: axis))
            let n = knownProduct(dloss.shape)
            guard rows < 0 || n < 0 || rows == n else {
                throw ctx.error(
                    gradName("Loss"), "Loss@GRAD \(dloss.shape) must hold one value per row of Softmax \(softmax.shape)"
                )
            }
            ctx.setOutput(gradName("Logits"), softmax)
        },
        kernel: { ctx in
            let softmax = try ctx.input("Softmax")
            let dloss = try ctx.input(gradName("Loss"))
            let label = try ctx.input("Label")
            guard let dx = ctx.outputIfPresent(gradName("Logits")) else { return {} }
            let config = try Config(ctx.op)
            return {
                let c = config.viewing(softmax.shape)
                if !c.soft { try validate(ctx, label.pointer(as: Int64.self), c) }
                backward(softmax.floats, dloss.floats, dx.floats, label.rawPointer, c)
            }
        })

    static let definitions = [softmaxWithCrossEntropy, softmaxWithCrossEntropyGrad]

    /// Checks the axis and Label against the scores in `scoresSlot`; returns the class axis.
    static func checkLabel(_ ctx: inout ShapeContext, scores: TensorMeta, scoresSlot: String) throws -> Int {
        let a = try ctx.normalizedAxis(try ctx.op.int("axis"), of: scoresSlot, scores)
        let soft = try ctx.op.bool("soft_label")
        let label = try soft ? ctx.input("Label", dtype: .float32) : ctx.input("Label", dtype: .int64)
        guard NNSupport.labelFits(label.shape, scores.shape, axis: a, soft: soft) else {
            let expected =
                soft
                ? "the shape of \(scoresSlot) (soft labels)"
                : "the shape of \(scoresSlot) with 1 in the class dimension \(a) (hard labels)"
            throw ctx.error("Label", "Label \(label.shape) must have \(expected), \(scoresSlot) is \(scores.shape)")
        }
        return a
    }

    /// Hard labels must be class indices or ignore_index.
    static func validate(_ ctx: KernelContext, _ labels: UnsafePointer<Int64>, _ c: Config) throws {
        let classes = Int64(c.view.size)
        for r in 0..<c.view.rows {
            let l = labels[r]
            if l != c.ignore && (l < 0 || l >= classes) {
                throw NNSupport.labelOutOfRange(ctx, row: r, label: l, classes: c.view.size, ignoreIndex: c.ignore)
            }
        }
    }

    /// Softmax and its cross entropy from log-sum-exp, row by row (row = (o, i)).
    static func softmaxLoss(
        _ x: UnsafePointer<Float>, _ s: UnsafeMutablePointer<Float>, _ loss: UnsafeMutablePointer<Float>,
        _ labels: UnsafeRawPointer, _ c: Config
    ) {
        let (size, inner) = (c.view.size, c.view.inner)
        let hard = labels.assumingMemoryBound(to: Int64.self)
        let soft = labels.assumingMemoryBound(to: Float.self)
        NNSupport.forEachChunk(c.view.outer, workPerRow: size * inner * 10) { range in
            for o in range {
                for i in 0..<inner {
                    let base = o * size * inner + i
                    let row = o * inner + i
                    let (m, sum) = SoftmaxOps.softmaxRow(x, s, base: base, size: size, stride: inner)
                    let logSum = Foundation.log(sum) + m
                    if c.soft {
                        var total: Float = 0
                        for k in 0..<size { total += soft[base + k * inner] * (logSum - x[base + k * inner]) }
                        loss[row] = total
                    } else {
                        let l = hard[row]
                        loss[row] = l == c.ignore ? 0 : logSum - x[base + Int(l) * inner]
                    }
                }
            }
        }
    }

    /// Cross entropy of probabilities p (use_softmax false): -log(p[label]), clamped as Paddle's.
    static func probabilityLoss(
        _ p: UnsafePointer<Float>, _ loss: UnsafeMutablePointer<Float>,
        _ labels: UnsafeRawPointer, _ c: Config
    ) {
        let (size, inner) = (c.view.size, c.view.inner)
        let hard = labels.assumingMemoryBound(to: Int64.self)
        let soft = labels.assumingMemoryBound(to: Float.self)
        for o in 0..<c.view.outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                let row = o * inner + i
                if c.soft {
                    var total: Float = 0
                    for k in 0..<size {
                        let j = base + k * inner
                        total -= soft[j] * NNSupport.tolerable(Foundation.log(p[j]))
                    }
                    loss[row] = total
                } else {
                    let l = hard[row]
                    loss[row] = l == c.ignore ? 0 : NNSupport.tolerableNegLog(p[base + Int(l) * inner])
                }
            }
        }
    }

    /// Logits@GRAD for both modes (see the type's description).
    static func backward(
        _ s: UnsafePointer<Float>, _ dloss: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
        _ labels: UnsafeRawPointer, _ c: Config
    ) {
        let (size, inner) = (c.view.size, c.view.inner)
        let hard = labels.assumingMemoryBound(to: Int64.self)
        let soft = labels.assumingMemoryBound(to: Float.self)
        NNSupport.forEachChunk(c.view.outer, workPerRow: size * inner * 2) { range in
            for o in range {
                for i in 0..<inner {
                    let base = o * size * inner + i
                    let row = o * inner + i
                    let d = dloss[row]
                    if c.soft {
                        for k in 0..<size {
                            let j = base + k * inner
                            dx[j] = c.useSoftmax ? (s[j] - soft[j]) * d : -d * soft[j] / s[j]
                        }
                        continue
                    }
                    let l = hard[row]
                    let ignored = l == c.ignore
                    for k in 0..<size { dx[base + k * inner] = c.useSoftmax && !ignored ? s[base + k * inner] * d : 0 }
                    if ignored { continue }
                    let j = base + Int(l) * inner
                    dx[j] = c.useSoftmax ? (s[j] - 1) * d : -d / s[j]
                }
            }
        }
    }
}
