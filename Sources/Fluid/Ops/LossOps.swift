import Foundation

/// Cross-entropy losses over probabilities, as fluid 1.x emits them, classes along the last axis:
/// - `cross_entropy` (X, Label -> Y; soft_label, ignore_index) and `cross_entropy_grad`
///   (X, Label, Y@GRAD -> X@GRAD);
/// - `cross_entropy2` (X, Label -> Y, MatchX, XShape; ignore_index; hard labels only), which
///   keeps MatchX = X[label] so `cross_entropy_grad2` (Label, MatchX, XShape, Y@GRAD -> X@GRAD)
///   does not need X: dx = -dy / MatchX at the label, 0 elsewhere. XShape is [0] + X's shape
///   and carries no data.
/// Y = -log(X[label]) per row (soft labels: -sum(label * log(X))); rows whose label equals
/// ignore_index give 0 and a zero gradient.
enum LossOps {
    static let crossEntropyAttributes = [
        AttributeSpec("soft_label", .bool(false)),
        AttributeSpec("ignore_index", .int(-100)),
    ]
    static let crossEntropy2Attributes = [AttributeSpec("ignore_index", .int(-100))]

    static let crossEntropy = OpDefinition(
        OpSchema(
            "cross_entropy", inputs: [SlotSpec("X"), SlotSpec("Label")], outputs: [SlotSpec("Y")],
            attributes: crossEntropyAttributes),
        inferShape: { ctx in
            let x = try checkedScores(&ctx, soft: try ctx.op.bool("soft_label"))
            ctx.setOutput("Y", TensorMeta(x.dtype, NNSupport.collapsing(x.shape, axis: max(x.rank - 1, 0))))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.output("Y")
            if try ctx.op.bool("soft_label") {
                let label = try ctx.input("Label")
                return {
                    let classes = x.shape.last ?? 1
                    let rows = y.count
                    let px = x.floats
                    let pl = label.floats
                    let py = y.floats
                    for r in 0..<rows {
                        var sum: Float = 0
                        for j in 0..<classes {
                            sum += pl[r * classes + j] * NNSupport.tolerable(Foundation.log(px[r * classes + j]))
                        }
                        py[r] = -sum
                    }
                }
            }
            let label = try ctx.input("Label")
            let ignore = Int64(try ctx.op.int("ignore_index"))
            return {
                let classes = x.shape.last ?? 1
                let rows = y.count
                let px = x.floats
                let pl = label.pointer(as: Int64.self)
                let py = y.floats
                for r in 0..<rows {
                    let l = pl[r]
                    if l == ignore {
                        py[r] = 0
                        continue
                    }
                    guard l >= 0 && l < classes else {
                        throw NNSupport.labelOutOfRange(ctx, row: r, label: l, classes: classes, ignoreIndex: ignore)
                    }
                    py[r] = NNSupport.tolerableNegLog(px[r * classes + Int(l)])
                }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "cross_entropy_grad",
                    inputs: ["X": g.input("X"), "Label": g.input("Label"), gradName("Y"): g.outputGrad("Y")],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    static let crossEntropyGrad = OpDefinition(
        OpSchema(
            "cross_entropy_grad", inputs: [SlotSpec("X"), SlotSpec("Label"), SlotSpec(gradName("Y"))],
            outputs: [SlotSpec(gradName("X"))], attributes: crossEntropyAttributes),
        inferShape: { ctx in
            let x = try checkedScores(&ctx, soft: try ctx.op.bool("soft_label"))
            try checkRowGradient(ctx, gradName("Y"), scores: x)
            ctx.setOutput(gradName("X"), x)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let dy = try ctx.input(gradName("Y"))
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            if try ctx.op.bool("soft_label") {
                let label = try ctx.input("Label")
                return {
                    let classes = x.shape.last ?? 1
                    let rows = dy.count
                    let px = x.floats
                    let pl = label.floats
                    let pdy = dy.floats
                    let pdx = dx.floats
                    for r in 0..<rows {
                        for j in 0..<classes {
                            let k = r * classes + j
                            pdx[k] = -pdy[r] * pl[k] / px[k]
                        }
                    }
                }
            }
            let label = try ctx.input("Label")
            let ignore = Int64(try ctx.op.int("ignore_index"))
            return {
                try scatterHardGradient(
                    ctx, dx: dx.floats, dy: dy.floats, picked: nil, x: x.floats,
                    labels: label.pointer(as: Int64.self), rows: dy.count,
                    classes: x.shape.last ?? 1, ignore: ignore)
            }
        })

    static let crossEntropy2 = OpDefinition(
        OpSchema(
            "cross_entropy2", inputs: [SlotSpec("X"), SlotSpec("Label")],
            outputs: [SlotSpec("Y"), SlotSpec("MatchX"), SlotSpec("XShape")], attributes: crossEntropy2Attributes),
        inferShape: { ctx in
            let x = try checkedScores(&ctx, soft: false)
            let rowShape = TensorMeta(x.dtype, NNSupport.collapsing(x.shape, axis: max(x.rank - 1, 0)))
            ctx.setOutput("Y", rowShape)
            ctx.setOutput("MatchX", rowShape)
            ctx.setOutput("XShape", TensorMeta(x.dtype, [0] + x.shape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let y = try ctx.output("Y")
            let match = try ctx.output("MatchX")
            let label = try ctx.input("Label")
            let ignore = Int64(try ctx.op.int("ignore_index"))
            return {
                let classes = x.shape.last ?? 1
                let rows = y.count
                let px = x.floats
                let pl = label.pointer(as: Int64.self)
                let py = y.floats
                let pm = match.floats
                for r in 0..<rows {
                    let l = pl[r]
                    if l == ignore {
                        py[r] = 0
                        pm[r] = 0
                        continue
                    }
                    guard l >= 0 && l < classes else {
                        throw NNSupport.labelOutOfRange(ctx, row: r, label: l, classes: classes, ignoreIndex: ignore)
                    }
                    let p = px[r * classes + Int(l)]
                    pm[r] = p
                    py[r] = NNSupport.tolerableNegLog(p)
                }
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "cross_entropy_grad2",
                    inputs: [
                        "Label": g.input("Label"), "MatchX": g.output("MatchX"), "XShape": g.output("XShape"),
                        gradName("Y"): g.outputGrad("Y"),
                    ],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    static let crossEntropyGrad2 = OpDefinition(
        OpSchema(
            "cross_entropy_grad2",
            inputs: [SlotSpec("Label"), SlotSpec("MatchX"), SlotSpec("XShape"), SlotSpec(gradName("Y"))],
            outputs: [SlotSpec(gradName("X"))], attributes: crossEntropy2Attributes),
        inferShape: { ctx in
            let xShape = try ctx.input("XShape")
            guard xShape.rank >= 2 else {
                throw ctx.error("XShape", "XShape \(xShape.shape) must be [0] followed by the shape of X")
            }
            let x = TensorMeta(.float32, Array(xShape.shape.dropFirst()))
            let label = try ctx.input("Label", dtype: .int64)
            let match = try ctx.input("MatchX", dtype: .float32)
            guard NNSupport.labelFits(label.shape, x.shape, axis: x.rank - 1, soft: false) else {
                throw ctx.error(
                    "Label",
                    "Label \(label.shape) must have the shape of X \(x.shape) (from XShape \(xShape.shape)) with a last dimension of 1"
                )
            }
            guard
                knownProduct(match.shape) < 0 || knownProduct(x.shape.dropLast()) < 0
                    || knownProduct(match.shape) == knownProduct(x.shape.dropLast())
            else {
                throw ctx.error("MatchX", "MatchX \(match.shape) must hold one value per row of X \(x.shape)")
            }
            try checkRowGradient(ctx, gradName("Y"), scores: x)
            ctx.setOutput(gradName("X"), x)
        },
        kernel: { ctx in
            let match = try ctx.input("MatchX")
            let dy = try ctx.input(gradName("Y"))
            let label = try ctx.input("Label")
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            let ignore = Int64(try ctx.op.int("ignore_index"))
            return {
                // X@GRAD has X's shape (from XShape), so its last dimension counts the classes.
                try scatterHardGradient(
                    ctx, dx: dx.floats, dy: dy.floats, picked: match.floats, x: nil,
                    labels: label.pointer(as: Int64.self), rows: dy.count,
                    classes: dx.shape.last ?? 1, ignore: ignore)
            }
        })

    static let definitions = [crossEntropy, crossEntropyGrad, crossEntropy2, crossEntropyGrad2]

    /// Checks X (rank >= 1, classes last) against Label; returns X's meta.
    static func checkedScores(_ ctx: inout ShapeContext, soft: Bool) throws -> TensorMeta {
        let x = try ctx.input("X", dtype: .float32)
        let label = try soft ? ctx.input("Label", dtype: .float32) : ctx.input("Label", dtype: .int64)
        guard x.rank >= 1 else { throw ctx.error("X", "X \(x.shape) must have at least one dimension (the classes)") }
        guard NNSupport.labelFits(label.shape, x.shape, axis: x.rank - 1, soft: soft) else {
            let expected =
                soft ? "the shape of X (soft labels)" : "the shape of X with a last dimension of 1 (hard labels)"
            throw ctx.error("Label", "Label \(label.shape) must have \(expected), X is \(x.shape)")
        }
        return x
    }

    /// A per-row gradient (like Y@GRAD) must hold one value per row of the scores.
    static func checkRowGradient(_ ctx: ShapeContext, _ slot: String, scores x: TensorMeta) throws {
        let g = try ctx.input(slot, dtype: .float32)
        let rows = knownProduct(x.shape.dropLast())
        let n = knownProduct(g.shape)
        guard rows < 0 || n < 0 || rows == n else {
            throw ctx.error(slot, "\(slot) \(g.shape) must hold one value per row of X \(x.shape)")
        }
    }

    /// dx = -dy / p at each row's label and 0 elsewhere, with p = picked[row] (MatchX) or
    /// x[row, label]; rows labelled ignore_index get 0.
    static func scatterHardGradient(
        _ ctx: KernelContext, dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
        picked: UnsafePointer<Float>?, x: UnsafePointer<Float>?,
        labels: UnsafePointer<Int64>, rows: Int, classes: Int, ignore: Int64
    ) throws {
        dx.update(repeating: 0, count: rows * classes)
        for r in 0..<rows {
            let l = labels[r]
            if l == ignore { continue }
            guard l >= 0 && l < classes else {
                throw NNSupport.labelOutOfRange(ctx, row: r, label: l, classes: classes, ignoreIndex: ignore)
            }
            let k = r * classes + Int(l)
            let p = picked?[r] ?? x?[k] ?? 1
            dx[k] = -dy[r] / p
        }
    }
}
