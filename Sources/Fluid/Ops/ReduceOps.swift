/// `mean`, `reduce_sum`, `reduce_mean` and their grads.
///
/// `mean`: X -> Out, the mean of every element, shape [] (Paddle 3's 0-D tensor).
/// `reduce_sum`, `reduce_mean`: X -> Out with `dim` ([0]), `keep_dim` (false), `reduce_all`
/// (false), `out_dtype` (-1: X's). Negative dims count from the end; `reduce_all` or an empty
/// `dim` reduces everything, to [] (or all 1s with `keep_dim`), as the tutorial's loss does.
/// Grads: X, Out@GRAD -> X@GRAD, dOut spread back over the reduced dims (divided by their size
/// for a mean).
enum ReduceOps {
    /// Which dims of X a reduce op sums over, and the shape it leaves.
    struct Reduction {
        /// X's dims with the reduced ones set to 1.
        var kept: [Int]
        var outShape: [Int]
        /// Elements of X that make one element of Out (-1 when unknown).
        var reducedCount: Int

        init(op: String, x: [Int], dims: [Int], keepDim: Bool, reduceAll: Bool) throws {
            var reduced = [Bool](repeating: reduceAll || dims.isEmpty || x.isEmpty, count: x.count)
            if !(reduceAll || dims.isEmpty) {
                for d in dims {
                    let axis = d < 0 ? d + x.count : d
                    guard x.isEmpty || (axis >= 0 && axis < x.count) else {
                        throw FluidError.shapeMismatch(
                            op: op, slot: "X", message: "dim \(dims) is out of range for X \(x) of rank \(x.count)")
                    }
                    if !x.isEmpty { reduced[axis] = true }
                }
            }
            kept = x.indices.map { reduced[$0] ? 1 : x[$0] }
            outShape = keepDim ? kept : x.indices.filter { !reduced[$0] }.map { x[$0] }
            reducedCount = knownProduct(x.indices.filter { reduced[$0] }.map { x[$0] })
        }

        init(_ op: OpDesc, x: [Int]) throws {
            try self.init(
                op: op.type, x: x, dims: try op.ints("dim"), keepDim: try op.bool("keep_dim"),
                reduceAll: try op.bool("reduce_all"))
        }

        /// X's space with Out as operand A (stride 0 along reduced dims); B is a single element.
        func layout(_ x: [Int]) -> BroadcastLayout {
            BroadcastLayout(full: x, a: kept, b: [Int](repeating: 1, count: x.count))
        }

        /// A bound kernel's reduction, its layout and 1/reducedCount, per shape of X.
        static func cache(_ op: OpDesc) throws -> ShapeKeyedCache<
            (reduction: Reduction, layout: BroadcastLayout, scale: Float)
        > {
            let type = op.type
            let dims = try op.ints("dim")
            let keepDim = try op.bool("keep_dim")
            let all = try op.bool("reduce_all")
            return ShapeKeyedCache { x, _ in
                let r = try Reduction(op: type, x: x, dims: dims, keepDim: keepDim, reduceAll: all)
                return (r, r.layout(x), 1 / Float(r.reducedCount))
            }
        }
    }

    /// A's value: spreads a reduced gradient back over the dims it was reduced along.
    enum Spread: BinaryFloatFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a } }

    private static let reduceAttributes = [
        AttributeSpec("dim", .ints([0])), AttributeSpec("keep_dim", .bool(false)),
        AttributeSpec("reduce_all", .bool(false)),
        AttributeSpec("in_dtype", .int(-1)), AttributeSpec("out_dtype", .int(-1)),
    ]

    private static func reduce(_ type: String, mean: Bool) -> OpDefinition {
        OpDefinition(
            OpSchema(type, inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")], attributes: reduceAttributes),
            inferShape: { ctx in
                let x = try ctx.input("X", dtype: .float32)
                let outType = try ctx.op.int("out_dtype") < 0 ? x.dtype : try ctx.op.dataType("out_dtype")
                let out = TensorMeta(outType, try Reduction(ctx.op, x: x.shape).outShape)
                try ctx.require(out, of: "Out", dtype: .float32)
                ctx.setOutput("Out", out)
            },
            kernel: { ctx in
                let x = try ctx.input("X")
                let out = try ctx.output("Out")
                let reductions = try Reduction.cache(ctx.op)
                return {
                    // Summing a reduction is the gradient walk of a broadcast: X plays dOut, Out is A.
                    let (r, layout, scale) = try reductions.value(x)
                    try MathOpSupport.requireShape(type, "Out", out, r.outShape)
                    let xs = x.floats
                    let o = out.floats
                    layout.accumulate(PassGradient.self, intoA: true, dout: xs, out: xs, x: xs, y: xs, into: o)
                    if mean { for i in 0..<out.count { o[i] *= scale } }
                }
            },
            gradient: { g in
                [
                    g.gradOp(
                        type + "_grad", inputs: ["X": g.input("X"), gradName("Out"): g.outputGrad("Out")],
                        outputs: [gradName("X"): g.inputGrad("X")])
                ]
            })
    }

    private static func reduceGrad(_ type: String, mean: Bool) -> OpDefinition {
        OpDefinition(
            OpSchema(
                type, inputs: [SlotSpec("X"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))],
                attributes: reduceAttributes),
            inferShape: { ctx in
                let x = try ctx.input("X")
                let dout = try ctx.input(gradName("Out"), dtype: .float32)
                ctx.setOutput(gradName("X"), TensorMeta(dout.dtype, x.shape))
            },
            kernel: { ctx in
                let x = try ctx.input("X")
                let dout = try ctx.input(gradName("Out"))
                guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
                let reductions = try Reduction.cache(ctx.op)
                // B of the layout is a single element: the mean's 1/n, multiplied in as dOut spreads.
                let scale = Tensor(scalar: Float(1))
                return {
                    let (r, layout, s) = try reductions.value(x)
                    try MathOpSupport.requireShape(type, gradName("Out"), dout, r.outShape)
                    if mean {
                        scale.floats[0] = s
                        layout.map(ElementwiseOps.Mul.self, a: dout.floats, b: scale.floats, into: dx.floats)
                    } else {
                        layout.map(Spread.self, a: dout.floats, b: dout.floats, into: dx.floats)
                    }
                }
            })
    }

    static let meanAll = OpDefinition(
        OpSchema("mean", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")]),
        inferShape: { ctx in
            let x = try ctx.input("X", dtype: .float32)
            ctx.setOutput("Out", TensorMeta(x.dtype, []))
        },
        kernel: { ctx in
            let x = try ctx.input("X")
            let out = try ctx.output("Out")
            return {
                let p = x.floats
                let n = x.count
                var s: Double = 0
                for i in 0..<n { s += Double(p[i]) }
                out.floats[0] = Float(s / Double(n))
            }
        },
        gradient: { g in
            [
                g.gradOp(
                    "mean_grad", inputs: ["X": g.input("X"), gradName("Out"): g.outputGrad("Out")],
                    outputs: [gradName("X"): g.inputGrad("X")])
            ]
        })

    static let meanAllGrad = OpDefinition(
        OpSchema("mean_grad", inputs: [SlotSpec("X"), SlotSpec(gradName("Out"))], outputs: [SlotSpec(gradName("X"))]),
        inferShape: { ctx in
            let x = try ctx.input("X")
            let dout = try ctx.input(gradName("Out"), dtype: .float32)
            try ctx.requireOneElement(dout, of: gradName("Out"))
            ctx.setOutput(gradName("X"), TensorMeta(dout.dtype, x.shape))
        },
        kernel: { ctx in
            let dout = try ctx.input(gradName("Out"))
            guard let dx = ctx.outputIfPresent(gradName("X")) else { return {} }
            return {
                guard dout.count == 1 else {
                    throw FluidError.kernel(
                        op: "mean_grad", message: "Out@GRAD has shape \(dout.shape), expected one element")
                }
                dx.floats.update(repeating: dout.floats[0] / Float(dx.count), count: dx.count)
            }
        })

    static let reduceSum = reduce("reduce_sum", mean: false)
    static let reduceSumGrad = reduceGrad("reduce_sum_grad", mean: false)
    static let reduceMean = reduce("reduce_mean", mean: true)
    static let reduceMeanGrad = reduceGrad("reduce_mean_grad", mean: true)

    static let definitions = [meanAll, meanAllGrad, reduceSum, reduceSumGrad, reduceMean, reduceMeanGrad]
}
