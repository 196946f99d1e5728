/// `top_k`, `top_k_v2` and `accuracy`: the k best entries along an axis with their indices,
/// and the fraction of samples whose label is among their top-k indices.
///
/// Ties rank the lower index first. Results are always sorted best first (a valid answer also
/// when `sorted` is false). NaN counts as larger than any number, as in Paddle and PyTorch.
enum MetricOps {
    /// K held in a tensor is only known when the program runs, too late for planning.
    static let kAsAttribute = "k given as a tensor is not implemented; give it in the 'k' attribute"

    /// k largest along the last axis of X.
    static let topK = OpDefinition(
        OpSchema(
            "top_k", inputs: [SlotSpec("X"), .unsupported("K", MetricOps.kAsAttribute)],
            outputs: [SlotSpec("Out"), SlotSpec("Indices")],
            attributes: [AttributeSpec("k", .int(1))]),
        inferShape: { ctx in try inferTopK(&ctx, axis: -1) },
        kernel: { ctx in try topKKernel(ctx, axis: -1, largest: true) })

    static let topKV2 = OpDefinition(
        OpSchema(
            "top_k_v2", inputs: [SlotSpec("X"), .unsupported("K", MetricOps.kAsAttribute)],
            outputs: [SlotSpec("Out"), SlotSpec("Indices")],
            attributes: [
                AttributeSpec("k", .int(1)),
                AttributeSpec("axis", .int(-1)),
                AttributeSpec("largest", .bool(true)),
                AttributeSpec("sorted", .bool(true)),
            ]),
        inferShape: { ctx in try inferTopK(&ctx, axis: ctx.op.int("axis")) },
        kernel: { ctx in try topKKernel(ctx, axis: ctx.op.int("axis"), largest: ctx.op.bool("largest")) })

    /// Out: top-k values [N, k]; Indices: their classes [N, k] int64; Label: [N, 1] int64.
    /// Accuracy is float32 and Correct and Total int32, all 0-D, as Paddle's kernel writes them.
    static let accuracy = OpDefinition(
        OpSchema(
            "accuracy", inputs: [SlotSpec("Out"), SlotSpec("Indices"), SlotSpec("Label")],
            outputs: [SlotSpec("Accuracy"), SlotSpec("Correct"), SlotSpec("Total")]),
        inferShape: { ctx in
            let indices = try ctx.input("Indices", dtype: .int64)
            let label = try ctx.input("Label", dtype: .int64)
            guard indices.rank == 2 else { throw ctx.error("Indices", "should be [N, k], found \(indices)") }
            _ = try ctx.input("Out", dtype: .float32, shapeOf: indices, in: "Indices")
            guard label.rank == 1 || (label.rank == 2 && dimsAgree(label.shape[1], 1)) else {
                throw ctx.error("Label", "should be [N, 1], found \(label)")
            }
            guard dimsAgree(label.shape[0], indices.shape[0]) else {
                throw ctx.error(
                    "Label",
                    "Label \(label.shape) has \(label.shape[0]) samples but Indices \(indices.shape) has \(indices.shape[0])"
                )
            }
            ctx.setOutput("Accuracy", TensorMeta(.float32, []))
            ctx.setOutput("Correct", TensorMeta(.int32, []))
            ctx.setOutput("Total", TensorMeta(.int32, []))
        },
        kernel: { ctx in
            let indices = try ctx.input("Indices")
            let label = try ctx.input("Label")
            let accuracy = try ctx.output("Accuracy")
            let correct = ctx.outputIfPresent("Correct")
            let total = ctx.outputIfPresent("Total")
            let op = ctx.op.type
            return {
                let n = indices.shape[0]
                let k = indices.shape[1]
                let idx = indices.pointer(as: Int64.self)
                let labels = label.pointer(as: Int64.self)
                var hits = 0
                for i in 0..<n {
                    let l = labels[i]
                    guard l >= 0 else {
                        throw FluidError.kernel(op: op, message: "label of sample \(i) is \(l); labels must be >= 0")
                    }
                    for j in 0..<k where idx[i * k + j] == l {
                        hits += 1
                        break
                    }
                }
                accuracy.floats[0] = n > 0 ? Float(hits) / Float(n) : 0
                correct?.pointer(as: Int32.self)[0] = Int32(truncatingIfNeeded: hits)
                total?.pointer(as: Int32.self)[0] = Int32(truncatingIfNeeded: n)
            }
        })

    static let definitions = [topK, topKV2, accuracy]

    // MARK: top-k

    /// Out and Indices: X's shape with `k` along `axis`.
    private static func inferTopK(_ ctx: inout ShapeContext, axis: Int) throws {
        let x = try ctx.input("X", dtype: .float32)
        let k = try ctx.op.int("k")
        guard x.rank >= 1 else {
            throw ctx.error("X", "X \(x.shape) needs at least one dimension to take the top \(k) of")
        }
        let a = try ctx.normalizedAxis(axis, of: "X", x)
        guard k >= 1, x.shape[a] < 0 || k <= x.shape[a] else {
            throw ctx.error("X", "k = \(k) should lie in 1...\(x.shape[a]), the size of axis \(a) of X \(x.shape)")
        }
        var shape = x.shape
        shape[a] = k
        ctx.setOutput("Out", TensorMeta(x.dtype, shape))
        ctx.setOutput("Indices", TensorMeta(.int64, shape))
    }

    private static func topKKernel(_ ctx: KernelContext, axis: Int, largest: Bool) throws -> Kernel {
        let x = try ctx.input("X")
        let out = try ctx.output("Out")
        let indices = try ctx.output("Indices")
        let k = try ctx.op.int("k")
        return {
            let a = axis < 0 ? axis + x.rank : axis
            let d = x.shape[a]
            let inner = x.shape[(a + 1)...].reduce(1, *)
            let outer = x.shape[..<a].reduce(1, *)
            let xp = x.floats
            let vp = out.floats
            let ip = indices.pointer(as: Int64.self)
            for o in 0..<outer {
                for i in 0..<inner {
                    selectTopK(
                        xp + o * d * inner + i, stride: inner, count: d, k: k, largest: largest,
                        values: vp + o * k * inner + i, indices: ip + o * k * inner + i, outStride: inner)
                }
            }
        }
    }

    /// Whether `v` ranks strictly before `w`: larger (or smaller) with NaN as the largest value.
    @inline(__always)
    private static func ranksBefore(_ v: Float, _ w: Float, largest: Bool) -> Bool {
        largest ? (v > w || (v.isNaN && !w.isNaN)) : (v < w || (w.isNaN && !v.isNaN))
    }

    /// Keeps the best `k` of `count` values (`stride` apart) in `values`/`indices` (`outStride`
    /// apart), best first, by insertion: most values lose to the current k-th in one comparison.
    /// Scanning in index order and inserting after equal values puts lower indices first on ties.
    @inline(__always)
    private static func selectTopK(
        _ x: UnsafePointer<Float>, stride: Int, count: Int, k: Int, largest: Bool,
        values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>,
        outStride: Int
    ) {
        var kept = 0
        for j in 0..<count {
            let v = x[j * stride]
            var pos = kept
            while pos > 0 && ranksBefore(v, values[(pos - 1) * outStride], largest: largest) { pos -= 1 }
            guard pos < k else { continue }
            var t = Swift.min(kept, k - 1)
            while t > pos {
                values[t * outStride] = values[(t - 1) * outStride]
                indices[t * outStride] = indices[(t - 1) * outStride]
                t -= 1
            }
            values[pos * outStride] = v
            indices[pos * outStride] = Int64(j)
            if kept < k { kept += 1 }
        }
    }
}
