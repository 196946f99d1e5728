/// Small elementwise ops: `scale`, `sum`, `assign`, `cast`. Their gradients are themselves
/// (Paddle has no scale_grad, sum_grad, assign_grad or cast_grad): scale's is a `scale` of
/// Out@GRAD without bias, sum's one `scale` by 1 per input, assign's an `assign`, cast's a
/// `cast` back to the input's dtype.
enum MiscOps {
    /// Out = scale * X + bias (bias_after_scale) or scale * (X + bias); a one-element
    /// ScaleTensor, when given, replaces the `scale` attribute.
    static let scale = OpDefinition(
        OpSchema(
            "scale", inputs: [SlotSpec("X"), .optional("ScaleTensor")], outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("scale", .float(1)),
                AttributeSpec("bias", .float(0)),
                AttributeSpec("bias_after_scale", .bool(true)),
            ]),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            if ctx.has("ScaleTensor") {
                try ctx.requireOneElement(try ctx.input("ScaleTensor", dtype: .float32), of: "ScaleTensor")
            }
            ctx.setOutput("Out", x)
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let fixedScale = try ctx.op.float("scale")
            let bias = try ctx.op.float("bias")
            let biasAfterScale = try ctx.op.bool("bias_after_scale")
            let scaleTensor = ctx.inputIfPresent("ScaleTensor")
            let op = ctx.op.type
            return {
                var k = fixedScale
                if let s = scaleTensor {
                    guard s.count >= 1 else {
                        throw FluidError.kernel(op: op, message: "ScaleTensor \(s.shape) is empty")
                    }
                    k = s.floats[0]
                }
                let src = x.floats
                let dst = out.floats
                let n = x.count
                if biasAfterScale {
                    for i in 0..<n { dst[i] = k * src[i] + bias }
                } else {
                    for i in 0..<n { dst[i] = k * (src[i] + bias) }
                }
            }
        },
        gradient: { g in
            let dx = g.inputGrad("X")
            guard !dx.isEmpty else { return [] }
            var inputs = ["X": g.outputGrad("Out")]
            if !g.input("ScaleTensor").isEmpty { inputs["ScaleTensor"] = g.input("ScaleTensor") }
            var attributes = g.op.attributes
            attributes["bias"] = .float(0)
            attributes["bias_after_scale"] = .bool(true)
            return [g.gradOp("scale", inputs: inputs, outputs: ["Out": dx], attributes: attributes)]
        })

    /// Out = the elementwise sum of every X (all of one shape). Autodiff adds the gradients of a
    /// variable used twice with it, often in place (Out is one of the X).
    static let sum = OpDefinition(
        OpSchema("sum", inputs: [.many("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in
            let xs = try ctx.inputs("X")
            guard var merged = xs.first else { throw ctx.error("X", "needs at least one tensor to add") }
            for (i, m) in xs.enumerated() {
                try ctx.require(m, of: "X", dtype: .float32)
                try ctx.require(m, of: "X", shapeOf: xs[0], in: "X[0]")
                // A size known in any input is the size (max picks it over -1).
                merged.shape = zip(m.shape, merged.shape).map { Swift.max($0, $1) }
            }
            ctx.setOutput("Out", merged)
        },
        kernel: { ctx in
            let xs = ctx.inputs("X")
            let out = try ctx.output("Out")
            guard !xs.isEmpty else { throw ctx.error("sum needs at least one input") }
            // Start from the input Out aliases, if any, so no input is overwritten before it is read.
            let start = xs.firstIndex { $0 === out } ?? 0
            let first = xs[start]
            let rest = xs.indices.filter { $0 != start }.map { xs[$0] }
            let inPlace = first === out
            return {
                let dst = out.floats
                let n = out.count
                var remaining = rest[...]
                if !inPlace {
                    let a = first.floats
                    if let b = remaining.popFirst()?.floats {
                        for i in 0..<n { dst[i] = a[i] + b[i] }
                    } else {
                        dst.update(from: a, count: n)
                    }
                }
                for t in remaining {
                    let b = t.floats
                    for i in 0..<n { dst[i] += b[i] }
                }
            }
        },
        gradient: { g in
            let names = g.inputGrad("X")
            return names.filter(isRealName).map { dx in
                g.gradOp(
                    "scale", inputs: ["X": g.outputGrad("Out")], outputs: ["Out": [dx]],
                    attributes: [
                        "scale": .float(1), "bias": .float(0), "bias_after_scale": .bool(true),
                    ])
            }
        })

    /// Out = a copy of X (any dtype).
    static let assign = OpDefinition(
        OpSchema("assign", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in ctx.setOutput("Out", try ctx.input("X")) },
        kernel: { ctx in try ShapeOps.copyKernel(ctx, from: "X", to: "Out") },
        gradient: { g in
            let dx = g.inputGrad("X")
            guard !dx.isEmpty else { return [] }
            return [g.gradOp("assign", inputs: ["X": g.outputGrad("Out")], outputs: ["Out": dx])]
        })

    /// Out = X converted to `out_dtype` (a `DataType` raw value). X's own dtype is what is read;
    /// `in_dtype` is kept for the gradient, which casts back.
    static let cast = OpDefinition(
        OpSchema(
            "cast", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("in_dtype", .int(DataType.float32.rawValue)),
                AttributeSpec("out_dtype", .int(DataType.float32.rawValue)),
            ]),
        inferShape: { ctx in
            let x = try ctx.input("X")
            let target = try ctx.op.dataType("out_dtype")
            guard x.dtype == target || castElements(from: x.dtype, to: target) != nil else {
                throw ctx.error(
                    "X",
                    "cannot cast X \(x) to \(target); cast converts between float32, float64, int32, int64, uint8 and bool"
                )
            }
            ctx.setOutput("Out", TensorMeta(target, x.shape))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            let copy = try ShapeOps.copyKernel(ctx, from: "X", to: "Out")
            let op = ctx.op.type
            // The conversion is looked up on the first step, and again only if X's dtype changes.
            var cached: (source: DataType, convert: CastFunction)? = nil
            return {
                if x.dtype == out.dtype { return try copy() }
                if cached?.source != x.dtype {
                    guard let f = castElements(from: x.dtype, to: out.dtype) else {
                        throw FluidError.kernel(op: op, message: "cannot cast \(x.dtype) to \(out.dtype)")
                    }
                    cached = (x.dtype, f)
                }
                guard let convert = cached?.convert, x.count == out.count else {
                    throw FluidError.kernel(op: op, message: "X \(x.shape) and Out \(out.shape) differ in size")
                }
                convert(UnsafeRawPointer(x.rawPointer), out.rawPointer, x.count)
            }
        },
        gradient: { g in
            let dx = g.inputGrad("X")
            guard !dx.isEmpty else { return [] }
            var attributes = g.op.attributes
            let defaultType = Attribute.int(DataType.float32.rawValue)
            attributes["in_dtype"] = g.op.attributes["out_dtype"] ?? defaultType
            attributes["out_dtype"] = g.op.attributes["in_dtype"] ?? defaultType
            return [g.gradOp("cast", inputs: ["X": g.outputGrad("Out")], outputs: ["Out": dx], attributes: attributes)]
        })

    static let definitions = [scale, sum, assign, cast]
}
