/// `reshape2` and `flatten_contiguous_range`: the same elements in the same order under a new
/// shape, and their gradients (the gradient's elements under X's shape).
///
/// Both also write `XShape` = [0] + X's shape: a tensor of no elements whose only job is to carry
/// X's shape to the grad op, so the backward pass does not keep X alive (Paddle's convention).
enum ShapeOps {
    static let reshape2 = OpDefinition(
        OpSchema(
            "reshape2",
            inputs: [
                SlotSpec("X"), .unsupported("Shape", RandomOps.shapeAsAttribute),
                .unsupported("ShapeTensor", RandomOps.shapeAsAttribute),
            ],
            outputs: [SlotSpec("Out"), .optional("XShape")],
            attributes: [AttributeSpec("shape", .ints([]))]),
        inferShape: { ctx in
            let x = try ctx.input("X")
            let out = try reshapedDims(x.shape, to: ctx.op.ints("shape"), ctx)
            ctx.setOutput("Out", TensorMeta(x.dtype, out))
            ctx.setOutput("XShape", xShapeMeta(x))
        },
        kernel: { ctx in try copyKernel(ctx, from: "X", to: "Out") },
        gradient: { g in viewGradient(g, type: "reshape2_grad") })

    static let reshape2Grad = viewGrad("reshape2_grad")

    static let flattenContiguousRange = OpDefinition(
        OpSchema(
            "flatten_contiguous_range", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out"), .optional("XShape")],
            attributes: [AttributeSpec("start_axis", .int(1)), AttributeSpec("stop_axis", .int(1))]),
        inferShape: { ctx in
            let x = try ctx.input("X")
            let out = try flattenedDims(x.shape, start: ctx.op.int("start_axis"), stop: ctx.op.int("stop_axis"), ctx)
            ctx.setOutput("Out", TensorMeta(x.dtype, out))
            ctx.setOutput("XShape", xShapeMeta(x))
        },
        kernel: { ctx in try copyKernel(ctx, from: "X", to: "Out") },
        gradient: { g in viewGradient(g, type: "flatten_contiguous_range_grad") })

    static let flattenContiguousRangeGrad = viewGrad("flatten_contiguous_range_grad")

    static let definitions = [reshape2, reshape2Grad, flattenContiguousRange, flattenContiguousRangeGrad]

    // MARK: Shape rules

    /// `XShape`'s meta: a leading 0 (no elements), then X's dims.
    static func xShapeMeta(_ x: TensorMeta) -> TensorMeta { TensorMeta(x.dtype, [0] + x.shape) }

    /// The shape `reshape2` gives X: a 0 copies X's dim at the same position; one -1 takes
    /// whatever size keeps the element count. At build time X's unknown dims (-1) leave the
    /// inferred dim unknown, unless a 0 copies each of them.
    static func reshapedDims(_ x: [Int], to target: [Int], _ ctx: ShapeContext) throws -> [Int] {
        func failure(_ why: String) -> FluidError {
            ctx.error("X", "cannot reshape X \(x) to shape \(target): \(why)")
        }
        var out = target
        var inferred: Int? = nil
        var copied = [Bool](repeating: false, count: target.count)
        for (i, d) in target.enumerated() {
            if d == -1 {
                guard inferred == nil else { throw failure("only one dimension may be -1") }
                inferred = i
            } else if d == 0 {
                guard i < x.count else { throw failure("0 at position \(i) copies a dimension X does not have") }
                out[i] = x[i]
                copied[i] = true
            } else if d < 0 {
                throw failure("dimension \(d) is negative (only -1 is allowed, once)")
            }
        }
        // Elements X spreads over the dims not copied, and what the explicit dims hold of them.
        let spread = knownProduct(x.indices.filter { $0 >= copied.count || !copied[$0] }.map { x[$0] })
        let explicit = out.indices.filter { $0 != inferred && !copied[$0] }.reduce(1) { $0 * out[$1] }
        if let k = inferred {
            guard spread >= 0 else {
                out[k] = -1
                return out
            }
            guard explicit > 0, spread % explicit == 0 else {
                throw failure("\(knownProduct(x)) elements do not divide into the given dimensions")
            }
            out[k] = spread / explicit
        } else if spread >= 0 && spread != explicit {
            throw failure("X has \(knownProduct(x)) elements but the shape holds \(knownProduct(out))")
        }
        return out
    }

    /// X's shape with dims `start...stop` (negative counts from the end) merged into one.
    /// A 0-D X becomes [1], as in Paddle.
    static func flattenedDims(_ x: [Int], start: Int, stop: Int, _ ctx: ShapeContext) throws -> [Int] {
        let r = x.count
        if r == 0 { return [1] }
        let s = start < 0 ? start + r : start
        let e = stop < 0 ? stop + r : stop
        guard s >= 0, s < r, e >= 0, e < r, s <= e else {
            throw ctx.error(
                "X",
                "cannot flatten X \(x) from start_axis \(start) to stop_axis \(stop): both must lie in [-\(r), \(r)) with start_axis not after stop_axis"
            )
        }
        return Array(x[..<s]) + [knownProduct(x[s...e])] + Array(x[(e + 1)...])
    }

    // MARK: Kernels and gradients

    /// The grad op of a view: X@GRAD is Out@GRAD's elements under the shape XShape carries.
    private static func viewGrad(_ type: String) -> OpDefinition {
        OpDefinition(
            OpSchema(
                type, inputs: [SlotSpec("XShape"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))]),
            inferShape: { ctx in
                let xShape = try ctx.input("XShape")
                let dout = try ctx.input(gradName("Out"))
                guard xShape.rank >= 1 else {
                    throw ctx.error("XShape", "should be [0] followed by X's shape, found \(xShape.shape)")
                }
                let x = Array(xShape.shape.dropFirst())
                let want = knownProduct(x)
                let have = knownProduct(dout.shape)
                guard want < 0 || have < 0 || want == have else {
                    throw ctx.error(
                        gradName("Out"),
                        "Out@GRAD \(dout.shape) has \(have) elements but X \(x) (from XShape \(xShape.shape)) has \(want)"
                    )
                }
                ctx.setOutput(gradName("X"), TensorMeta(dout.dtype, x))
            },
            kernel: { ctx in try copyKernel(ctx, from: gradName("Out"), to: gradName("X")) })
    }

    /// Emits `type` (XShape, Out@GRAD -> X@GRAD) when X needs a gradient.
    private static func viewGradient(_ g: GradientContext, type: String) -> [OpDesc] {
        let dx = g.inputGrad("X")
        guard !dx.isEmpty else { return [] }
        return [
            g.gradOp(
                type, inputs: ["XShape": g.output("XShape"), gradName("Out"): g.outputGrad("Out")],
                outputs: [gradName("X"): dx])
        ]
    }

    /// A kernel copying the bytes of input `from` into output `to` (any dtype); nothing to do
    /// when both are the same tensor (an in-place op) or the output is not needed.
    static func copyKernel(_ ctx: KernelContext, from: String, to: String) throws -> Kernel {
        let src = try ctx.input(from)
        guard let dst = ctx.outputIfPresent(to), dst !== src else { return {} }
        let op = ctx.op.type
        return {
            guard src.byteCount == dst.byteCount else {
                throw FluidError.kernel(
                    op: op,
                    message:
                        "\(from) \(src.dtype)\(src.shape) and \(to) \(dst.dtype)\(dst.shape) hold different numbers of bytes"
                )
            }
            dst.rawPointer.copyMemory(from: src.rawPointer, byteCount: src.byteCount)
        }
    }
}
