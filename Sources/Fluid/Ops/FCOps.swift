/// `fc`: Paddle's inference-only fully connected op, what `FCFuse` makes of
/// `mul` + `elementwise_add` (+ `relu`).
///
/// Input, W, Bias (optional) -> Out, attributes `in_num_col_dims` (1), `activation_type`
/// ("" or "relu") and `padding_weights` (false; true, a oneDNN weight layout, is refused).
/// Input is read as the matrix [prod(Input.dims[..<in_num_col_dims]), K] with K the product of
/// the remaining dims, W is [K, N], Bias [N] or [1, N], and
/// Out.dims = Input.dims[..<in_num_col_dims] + [N]:
/// Out = act(Input * W + Bias), the bias broadcast along the rows.
///
/// The kernel is one GEMM, then one pass over Out adding the bias and applying the activation.
/// No gradient: programs are fused for inference only.
enum FCOps {
    static let attributes = [
        AttributeSpec("in_num_col_dims", .int(1)),
        AttributeSpec("activation_type", .string("")),
        AttributeSpec("padding_weights", .bool(false)),
    ]

    /// Activations the kernel applies in its bias pass.
    enum Activation: String {
        case none = ""
        case relu
    }

    /// The GEMM sizes of one fc: Input is m x k, W k x n, Out m x n (-1 where unknown).
    struct Geometry {
        var m: Int
        var k: Int
        var n: Int
        var outShape: [Int]

        init(op: String, input: [Int], w: [Int], inNumColDims xn: Int) throws {
            guard xn >= 1, xn < input.count else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "Input",
                    message: "in_num_col_dims is \(xn), but Input \(input) needs it in 1..<\(input.count) (its rank)")
            }
            guard w.count == 2 else {
                throw FluidError.shapeMismatch(op: op, slot: "W", message: "W \(w) must be a [K, N] matrix")
            }
            let rows = knownProduct(input[..<xn])
            let cols = knownProduct(input[xn...])
            guard dimsAgree(cols, w[0]) else {
                throw FluidError.shapeMismatch(
                    op: op, slot: "W",
                    message:
                        "Input \(input) read as a [\(rows), \(cols)] matrix (in_num_col_dims \(xn)) has \(cols) columns, but W \(w) has \(w[0]) rows"
                )
            }
            m = rows
            k = cols >= 0 ? cols : w[0]
            n = w[1]
            outShape = Array(input[..<xn]) + [w[1]]
        }
    }

    /// The activation named by the op, or an error naming the attribute.
    static func activation(_ op: OpDesc) throws -> Activation {
        let name = try op.string("activation_type")
        guard let a = Activation(rawValue: name) else {
            throw FluidError.attribute(
                op: op.type, name: "activation_type",
                message: "is \"\(name)\", but SwiftFluid's fc applies only \"\" or \"relu\"")
        }
        return a
    }

    private static func checkUnpadded(_ op: OpDesc) throws {
        if try op.bool("padding_weights") {
            throw FluidError.attribute(
                op: op.type, name: "padding_weights",
                message: "is true (a oneDNN weight layout), which SwiftFluid does not support")
        }
    }

    static let fc = OpDefinition(
        OpSchema(
            "fc", inputs: [SlotSpec("Input"), SlotSpec("W"), .optional("Bias")], outputs: [SlotSpec("Out")],
            attributes: attributes),
        inferShape: { ctx in
            let input = try ctx.input("Input", dtype: .float32)
            let w = try ctx.input("W", dtype: .float32)
            try checkUnpadded(ctx.op)
            _ = try activation(ctx.op)
            let g = try Geometry(
                op: ctx.op.type, input: input.shape, w: w.shape, inNumColDims: try ctx.op.int("in_num_col_dims"))
            if ctx.has("Bias") {
                let bias = try ctx.input("Bias", dtype: .float32)
                let vector = bias.rank == 1 || (bias.rank == 2 && bias.shape[0] == 1)
                guard vector, let last = bias.shape.last, dimsAgree(last, g.n) else {
                    throw ctx.error(
                        "Bias",
                        "Bias \(bias.shape) must be [\(g.n)] or [1, \(g.n)], one value per column of W \(w.shape)")
                }
            }
            ctx.setOutput("Out", TensorMeta(.float32, g.outShape))
        },
        kernel: { ctx in
            let input = try ctx.input("Input")
            let w = try ctx.input("W")
            let out = try ctx.output("Out")
            let bias = ctx.inputIfPresent("Bias")
            try checkUnpadded(ctx.op)
            let act = try activation(ctx.op)
            let type = ctx.op.type
            let xn = try ctx.op.int("in_num_col_dims")
            let geometry = ShapeKeyedCache { x, w in try Geometry(op: type, input: x, w: w, inNumColDims: xn) }
            return {
                let g = try geometry.value(input, w)
                try MathOpSupport.requireShape(type, "Out", out, g.outShape)
                if let bias, bias.count != g.n {
                    throw FluidError.kernel(op: type, message: "Bias has \(bias.count) elements, expected \(g.n)")
                }
                sgemm(m: g.m, n: g.n, k: g.k, a: input.floats, b: w.floats, c: out.floats)
                switch (bias, act) {
                case (let bias?, .relu): addBias(out.floats, bias.floats, rows: g.m, columns: g.n, relu: true)
                case (let bias?, .none): addBias(out.floats, bias.floats, rows: g.m, columns: g.n, relu: false)
                case (nil, .relu): applyRelu(out.floats, count: g.m * g.n)
                case (nil, .none): break
                }
            }
        })

    /// out[r, j] = act(out[r, j] + bias[j]) over every row. `relu` is a constant at each call
    /// site, so the inlined loops carry no branch on it.
    @inline(__always)
    private static func addBias(
        _ out: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, columns: Int, relu: Bool
    ) {
        for r in 0..<rows {
            let row = out + r * columns
            if relu {
                for j in 0..<columns { row[j] = max(row[j] + bias[j], 0) }
            } else {
                for j in 0..<columns { row[j] += bias[j] }
            }
        }
    }

    private static func applyRelu(_ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = max(out[i], 0) }
    }

    static let definitions = [fc]
}
