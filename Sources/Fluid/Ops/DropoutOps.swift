/// `dropout` (X -> Out, Mask) and `dropout_grad` (Mask, Out@GRAD -> X@GRAD).
///
/// Training keeps each element with probability 1 - dropout_prob (Mask, uint8, 1 = kept):
/// "downgrade_in_infer" gives Out = X * Mask, "upscale_in_train" Out = X * Mask / (1 - p).
/// In test mode "downgrade_in_infer" gives Out = X * (1 - p) and "upscale_in_train" Out = X.
///
/// Randomness: with `fix_seed` (or a non-zero `seed`, or a Seed input) every step draws the
/// same mask; otherwise a generator seeded once from the plan's seed advances step after step,
/// so a program with a `random_seed` repeats the same sequence of masks run after run.
enum DropoutOps {
    static let attributes = [
        AttributeSpec("dropout_prob", .float(0.5)),
        AttributeSpec("is_test", .bool(false)),
        AttributeSpec("fix_seed", .bool(false)),
        AttributeSpec("seed", .int(0)),
        AttributeSpec("dropout_implementation", .string("downgrade_in_infer")),
    ]

    /// Decoded attributes.
    struct Config {
        var probability: Float
        var isTest: Bool
        var upscale: Bool

        init(_ op: OpDesc) throws {
            probability = try op.float("dropout_prob")
            guard (0...1).contains(probability) else {
                throw FluidError.attribute(
                    op: op.type, name: "dropout_prob", message: "must lie in [0, 1], found \(probability)")
            }
            isTest = try op.bool("is_test")
            switch try op.string("dropout_implementation") {
            case "downgrade_in_infer": upscale = false
            case "upscale_in_train": upscale = true
            case let other:
                throw FluidError.attribute(
                    op: op.type, name: "dropout_implementation",
                    message: "must be 'downgrade_in_infer' or 'upscale_in_train', found '\(other)'")
            }
        }

        /// Factor applied to kept elements in training.
        var trainScale: Float { upscale ? (probability < 1 ? 1 / (1 - probability) : 0) : 1 }
        /// Factor applied to every element in test mode.
        var testScale: Float { upscale ? 1 : 1 - probability }
    }

    static let dropout = OpDefinition(
        OpSchema(
            "dropout", inputs: [SlotSpec("X"), .optional("Seed")], outputs: [SlotSpec("Out"), .optional("Mask")],
            attributes: attributes),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            if let seed = try ctx.inputIfPresent("Seed") {
                if seed.dtype != .int64 { try ctx.require(seed, of: "Seed", dtype: .int32) }
                try ctx.requireOneElement(seed, of: "Seed")
            }
            _ = try Config(ctx.op)
            ctx.setOutput("Out", x)
            ctx.setOutput("Mask", TensorMeta(.uint8, x.shape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let mask = ctx.outputIfPresent("Mask")
            let config = try Config(ctx.op)
            if config.isTest {
                let scale = config.testScale
                return {
                    let px = x.floats
                    let po = out.floats
                    for i in 0..<x.count { po[i] = px[i] * scale }
                    if let mask { mask.pointer(as: UInt8.self).update(repeating: 1, count: mask.count) }
                }
            }
            guard let mask else { throw ctx.error("training mode needs the Mask output for the gradient") }
            let seedTensor = ctx.inputIfPresent("Seed")
            let fixed = try ctx.op.bool("fix_seed") || ctx.op.int("seed") != 0
            let planSeed = ctx.seed
            var generator = SeededGenerator(bits: planSeed)
            return {
                if let seedTensor {
                    generator = SeededGenerator(bits: seedValue(seedTensor))
                } else if fixed {
                    generator = SeededGenerator(bits: planSeed)
                }
                drawMask(
                    &generator, x: x.floats, out: out.floats, mask: mask.pointer(as: UInt8.self),
                    count: x.count, config: config)
            }
        },
        gradient: { g in
            var inputs = [gradName("Out"): g.outputGrad("Out")]
            if !g.output("Mask").isEmpty { inputs["Mask"] = g.output("Mask") }
            return [g.gradOp("dropout_grad", inputs: inputs, outputs: [gradName("X"): g.inputGrad("X")])]
        })

    static let dropoutGrad = OpDefinition(
        OpSchema(
            "dropout_grad", inputs: [.optional("Mask"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))],
            attributes: attributes),
        inferShape: { ctx in
            let dout = try ctx.input(gradName("Out"), dtype: .float32)
            if ctx.has("Mask") { _ = try ctx.input("Mask", dtype: .uint8, shapeOf: dout, in: gradName("Out")) }
            ctx.setOutput(gradName("X"), dout)
        },
        kernel: { ctx in
            let dout = try ctx.input(gradName("Out"))
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            let config = try Config(ctx.op)
            if config.isTest {
                let scale = config.testScale
                return {
                    let pd = dout.floats
                    let px = dx.floats
                    for i in 0..<dout.count { px[i] = pd[i] * scale }
                }
            }
            guard let mask = ctx.inputIfPresent("Mask") else { throw ctx.error("training mode needs the Mask input") }
            let scale = config.trainScale
            return {
                let pd = dout.floats
                let pm = mask.pointer(as: UInt8.self)
                let px = dx.floats
                for i in 0..<dout.count { px[i] = pm[i] != 0 ? pd[i] * scale : 0 }
            }
        })

    static let definitions = [dropout, dropoutGrad]

    /// The seed held by a Seed input tensor (int32 or int64, checked by shape inference).
    static func seedValue(_ t: Tensor) -> UInt64 {
        t.dtype == .int64
            ? UInt64(truncatingIfNeeded: t.pointer(as: Int64.self)[0])
            : UInt64(truncatingIfNeeded: t.pointer(as: Int32.self)[0])
    }

    /// Draws the mask (keep with probability 1 - p) and writes Out; two elements per 64-bit draw.
    static func drawMask(
        _ generator: inout SeededGenerator, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
        mask: UnsafeMutablePointer<UInt8>, count: Int, config: Config
    ) {
        // Keep when a uniform 32-bit value is below (1 - p) * 2^32 (p = 0 keeps all, p = 1 none).
        let threshold = UInt64(((1 - Double(config.probability)) * 4_294_967_296).rounded())
        let scale = config.trainScale
        var g = generator
        var i = 0
        while i < count {
            let r = g.next()
            let keep0: UInt8 = (r & 0xFFFF_FFFF) < threshold ? 1 : 0
            mask[i] = keep0
            out[i] = keep0 != 0 ? x[i] * scale : 0
            if i + 1 < count {
                let keep1: UInt8 = (r >> 32) < threshold ? 1 : 0
                mask[i + 1] = keep1
                out[i + 1] = keep1 != 0 ? x[i + 1] * scale : 0
            }
            i += 2
        }
        generator = g
    }
}
