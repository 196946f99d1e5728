/// Activations, elementwise arithmetic, shapes, losses and metrics.
extension ProgramBuilder {
    public func relu(_ x: Variable) throws -> Variable { try unary("relu", x) }
    public func sigmoid(_ x: Variable) throws -> Variable { try unary("sigmoid", x) }
    public func tanh(_ x: Variable) throws -> Variable { try unary("tanh", x) }
    public func softmax(_ x: Variable, axis: Int = -1) throws -> Variable {
        try unary("softmax", x, attributes: ["axis": try int32Attribute(axis, name: "axis", op: "softmax")])
    }

    private func elementwise(_ type: String, _ x: Variable, _ y: Variable, axis: Int) throws -> Variable {
        try append(
            type, layer: layerName(type), inputs: ["X": [x.name], "Y": [y.name]], output: "Out",
            attributes: ["axis": try int32Attribute(axis, name: "axis", op: type)])
    }

    /// x + y with Paddle's broadcasting: y's dimensions match x's from `axis` (-1: trailing).
    public func add(_ x: Variable, _ y: Variable, axis: Int = -1) throws -> Variable {
        try elementwise("elementwise_add", x, y, axis: axis)
    }
    public func subtract(_ x: Variable, _ y: Variable, axis: Int = -1) throws -> Variable {
        try elementwise("elementwise_sub", x, y, axis: axis)
    }
    public func multiply(_ x: Variable, _ y: Variable, axis: Int = -1) throws -> Variable {
        try elementwise("elementwise_mul", x, y, axis: axis)
    }
    public func divide(_ x: Variable, _ y: Variable, axis: Int = -1) throws -> Variable {
        try elementwise("elementwise_div", x, y, axis: axis)
    }

    /// Matrix product with optional transposes and batch broadcasting (`matmul_v2`).
    public func matmul(_ x: Variable, _ y: Variable, transposeX: Bool = false, transposeY: Bool = false) throws
        -> Variable
    {
        try append(
            "matmul_v2", layer: layerName("matmul_v2"), inputs: ["X": [x.name], "Y": [y.name]], output: "Out",
            attributes: ["trans_x": .bool(transposeX), "trans_y": .bool(transposeY)])
    }

    /// scale * x + bias (or scale * (x + bias) when `biasAfterScale` is false).
    public func scale(_ x: Variable, scale: Float = 1, bias: Float = 0, biasAfterScale: Bool = true) throws -> Variable
    {
        try unary(
            "scale", x,
            attributes: ["scale": .float(scale), "bias": .float(bias), "bias_after_scale": .bool(biasAfterScale)])
    }

    /// Reshapes `x`; 0 copies a dimension, one -1 is inferred (`reshape2`).
    public func reshape(_ x: Variable, shape: [Int]) throws -> Variable {
        try append(
            "reshape2", layer: layerName("reshape2"), inputs: ["X": [x.name]], outputs: ("Out", "XShape"),
            attributes: ["shape": try int32sAttribute(shape, name: "shape", op: "reshape2")]
        ).0
    }

    /// Flattens dimensions `startAxis...stopAxis` into one (`flatten_contiguous_range`).
    public func flatten(_ x: Variable, startAxis: Int = 1, stopAxis: Int = -1) throws -> Variable {
        try append(
            "flatten_contiguous_range", layer: layerName("flatten"), inputs: ["X": [x.name]],
            outputs: ("Out", "XShape"),
            attributes: [
                "start_axis": try int32Attribute(startAxis, name: "start_axis", op: "flatten_contiguous_range"),
                "stop_axis": try int32Attribute(stopAxis, name: "stop_axis", op: "flatten_contiguous_range"),
            ]
        ).0
    }

    /// Cross entropy of probabilities `x` [N, D] against int64 labels [N, 1] (or soft labels),
    /// as fluid 1.x's layer emits it (`cross_entropy2`). Returns the per-sample loss [N, 1].
    public func crossEntropy(_ x: Variable, _ label: Variable, softLabel: Bool = false, ignoreIndex: Int = -100) throws
        -> Variable
    {
        if softLabel {
            return try append(
                "cross_entropy", layer: layerName("cross_entropy"), inputs: ["X": [x.name], "Label": [label.name]],
                output: "Y",
                attributes: [
                    "soft_label": .bool(true),
                    "ignore_index": try int32Attribute(ignoreIndex, name: "ignore_index", op: "cross_entropy"),
                ])
        }
        return try append(
            "cross_entropy2", layer: layerName("cross_entropy2"), inputs: ["X": [x.name], "Label": [label.name]],
            outputs: ("Y", "MatchX", "XShape"),
            attributes: ["ignore_index": try int32Attribute(ignoreIndex, name: "ignore_index", op: "cross_entropy2")]
        ).0
    }

    /// Softmax and cross entropy in one op. With `useSoftmax` false the input already holds
    /// probabilities (what Paddle 2.x/3.x's `cross_entropy(use_softmax=False)` emits).
    public func softmaxWithCrossEntropy(
        _ logits: Variable, _ label: Variable, softLabel: Bool = false, ignoreIndex: Int = -100,
        axis: Int = -1, useSoftmax: Bool = true
    ) throws -> Variable {
        try append(
            "softmax_with_cross_entropy", layer: layerName("softmax_with_cross_entropy"),
            inputs: ["Logits": [logits.name], "Label": [label.name]], outputs: ("Softmax", "Loss"),
            attributes: [
                "soft_label": .bool(softLabel),
                "ignore_index": try int32Attribute(ignoreIndex, name: "ignore_index", op: "softmax_with_cross_entropy"),
                "axis": try int32Attribute(axis, name: "axis", op: "softmax_with_cross_entropy"),
                "use_softmax": .bool(useSoftmax), "numeric_stable_mode": .bool(true),
            ]
        ).1
    }

    /// Mean of all elements (`mean`), a scalar.
    public func mean(_ x: Variable) throws -> Variable { try unary("mean", x) }

    /// Mean over `dims` (all when empty), named like `mean` (`reduce_mean`).
    public func reduceMean(_ x: Variable, dims: [Int] = [], keepDim: Bool = false) throws -> Variable {
        try unary(
            "reduce_mean", x, layer: layerName("mean"),
            attributes: [
                "dim": try int32sAttribute(dims, name: "dim", op: "reduce_mean"), "keep_dim": .bool(keepDim),
                "reduce_all": .bool(dims.isEmpty),
            ])
    }

    /// Sum over `dims` (all when empty) (`reduce_sum`).
    public func reduceSum(_ x: Variable, dims: [Int] = [], keepDim: Bool = false) throws -> Variable {
        try unary(
            "reduce_sum", x, layer: layerName("sum"),
            attributes: [
                "dim": try int32sAttribute(dims, name: "dim", op: "reduce_sum"), "keep_dim": .bool(keepDim),
                "reduce_all": .bool(dims.isEmpty),
            ])
    }

    /// Fraction of samples whose label is among the `k` largest of `input` (`top_k` + `accuracy`).
    public func accuracy(_ input: Variable, _ label: Variable, k: Int = 1) throws -> Variable {
        let layer = layerName("accuracy")
        let (values, indices) = try append(
            "top_k", layer: layer, inputs: ["X": [input.name]], outputs: ("Out", "Indices"),
            attributes: ["k": try int32Attribute(k, name: "k", op: "top_k")])
        let (accuracy, _, _) = try append(
            "accuracy", layer: layer,
            inputs: ["Out": [values.name], "Indices": [indices.name], "Label": [label.name]],
            outputs: ("Accuracy", "Correct", "Total"))
        for v in [values, indices] { block.updateVar(v.name) { $0.stopGradient = true } }
        return accuracy
    }
}
