/// Dense and convolutional layers.
extension ProgramBuilder {
    /// Fully connected: `mul` by a [in, size] weight, `elementwise_add` of a [size] bias, then `act`.
    /// Dimensions from `numFlattenDims` on are flattened into the input features.
    public func fc(
        _ x: Variable, size: Int, numFlattenDims: Int = 1, act: Activation? = nil,
        weight: ParamAttr = ParamAttr(), bias: ParamAttr? = ParamAttr()
    ) throws -> Variable {
        let layer = layerName("fc")
        guard numFlattenDims >= 1, numFlattenDims < x.shape.count else {
            throw FluidError.shapeMismatch(
                op: "fc", slot: "Input",
                message: "numFlattenDims \(numFlattenDims) must lie in 1..<\(x.shape.count) for input \(x.shape)")
        }
        guard size >= 1 else {
            throw FluidError.attribute(op: "fc", name: "size", message: "should be at least 1, found \(size)")
        }
        let inFeatures = knownProduct(x.shape[numFlattenDims...])
        guard inFeatures > 0 else {
            throw FluidError.shapeMismatch(
                op: "fc", slot: "Input",
                message: "input \(x.shape) must have known feature dimensions after dimension \(numFlattenDims)")
        }
        let w = parameter(layer + ".w_0", shape: [inFeatures, size], attr: weight, defaultInitializer: .xavier)
        var out = try append(
            "mul", layer: layer, inputs: ["X": [x.name], "Y": [w.name]], output: "Out",
            attributes: [
                "x_num_col_dims": try int32Attribute(numFlattenDims, name: "x_num_col_dims", op: "mul"),
                "y_num_col_dims": .int(1),
            ])
        if let bias {
            let b = parameter(layer + ".b_0", shape: [size], attr: bias, defaultInitializer: .constant(0))
            out = try append(
                "elementwise_add", layer: layer, inputs: ["X": [out.name], "Y": [b.name]], output: "Out",
                attributes: ["axis": try int32Attribute(numFlattenDims, name: "axis", op: "elementwise_add")])
        }
        return try activate(out, act, layer: layer)
    }

    /// 2-D convolution over NCHW input with `filters` output channels and a square `size` kernel,
    /// a [filters] bias added on axis 1, then `act`. Filters default to Normal(0, sqrt(2/(k*k*Cin))).
    public func conv2d(
        _ x: Variable, filters: Int, size: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        groups: Int = 1, act: Activation? = nil,
        weight: ParamAttr = ParamAttr(), bias: ParamAttr? = ParamAttr()
    ) throws -> Variable {
        try conv2d(
            x, filters: filters, size: [size, size], stride: [stride, stride], padding: [padding, padding],
            dilation: [dilation, dilation], groups: groups, act: act, weight: weight, bias: bias)
    }

    /// 2-D convolution with per-axis kernel size, stride, padding (2 or 4 values) and dilation.
    /// Throws `FluidError.attribute` when a list has the wrong count, a size, stride or dilation
    /// is below 1, a padding is negative, or a value does not fit a 32-bit attribute.
    public func conv2d(
        _ x: Variable, filters: Int, size: [Int], stride: [Int], padding: [Int], dilation: [Int] = [1, 1],
        groups: Int = 1, act: Activation? = nil,
        weight: ParamAttr = ParamAttr(), bias: ParamAttr? = ParamAttr()
    ) throws -> Variable {
        let layer = layerName("conv2d")
        guard x.shape.count == 4, x.shape[1] > 0, groups > 0, x.shape[1] % groups == 0 else {
            throw FluidError.shapeMismatch(
                op: "conv2d", slot: "Input",
                message: "input \(x.shape) must be NCHW with channels divisible by groups \(groups)")
        }
        guard filters >= 1 else {
            throw FluidError.attribute(op: "conv2d", name: "filters", message: "should be at least 1, found \(filters)")
        }
        try checkAxes(size, counts: [2], minimum: 1, name: "filter_size", op: "conv2d")
        try checkAxes(stride, counts: [2], minimum: 1, name: "strides", op: "conv2d")
        try checkAxes(padding, counts: [2, 4], minimum: 0, name: "paddings", op: "conv2d")
        try checkAxes(dilation, counts: [2], minimum: 1, name: "dilations", op: "conv2d")
        let attributes: [String: Attribute] = [
            "strides": try int32sAttribute(stride, name: "strides", op: "conv2d"),
            "paddings": try int32sAttribute(padding, name: "paddings", op: "conv2d"),
            "dilations": try int32sAttribute(dilation, name: "dilations", op: "conv2d"),
            "groups": try int32Attribute(groups, name: "groups", op: "conv2d"),
            "padding_algorithm": .string("EXPLICIT"), "data_format": .string("NCHW"),
        ]
        _ = try int32sAttribute(size, name: "filter_size", op: "conv2d")
        let inChannels = x.shape[1] / groups
        // In Float: the product of sizes that each fit 32 bits may not fit an Int.
        let std = (2 / (Float(size[0]) * Float(size[1]) * Float(x.shape[1]))).squareRoot()
        let w = parameter(
            layer + ".w_0", shape: [filters, inChannels, size[0], size[1]], attr: weight,
            defaultInitializer: .normal(mean: 0, std: std))
        var out = try append(
            "conv2d", layer: layer, inputs: ["Input": [x.name], "Filter": [w.name]], output: "Output",
            attributes: attributes)
        if let bias {
            let b = parameter(layer + ".b_0", shape: [filters], attr: bias, defaultInitializer: .constant(0))
            out = try append(
                "elementwise_add", layer: layer, inputs: ["X": [out.name], "Y": [b.name]], output: "Out",
                attributes: ["axis": .int(1)])
        }
        return try activate(out, act, layer: layer)
    }

    public enum PoolType: String, Sendable { case max, avg }

    /// 2-D pooling over NCHW input. Sizes and strides below 1, negative paddings and values
    /// that do not fit a 32-bit attribute throw `FluidError.attribute`.
    public func pool2d(
        _ x: Variable, size: Int, stride: Int = 1, padding: Int = 0, type: PoolType = .max,
        globalPooling: Bool = false, ceilMode: Bool = false, exclusive: Bool = true
    ) throws -> Variable {
        try unary(
            "pool2d", x,
            attributes: [
                "pooling_type": .string(type.rawValue),
                "ksize": try int32sAttribute([size, size], name: "ksize", op: "pool2d"),
                "strides": try int32sAttribute([stride, stride], name: "strides", op: "pool2d"),
                "paddings": try int32sAttribute([padding, padding], name: "paddings", op: "pool2d"),
                "global_pooling": .bool(globalPooling), "ceil_mode": .bool(ceilMode), "exclusive": .bool(exclusive),
                "adaptive": .bool(false), "padding_algorithm": .string("EXPLICIT"), "data_format": .string("NCHW"),
            ])
    }

    /// Batch normalisation over the channel axis (1) with learned scale and bias and running
    /// mean and variance kept in the scope (updated with `momentum` while training).
    public func batchNorm(
        _ x: Variable, act: Activation? = nil, momentum: Float = 0.9, epsilon: Float = 1e-5,
        isTest: Bool = false, scale: ParamAttr = ParamAttr(), bias: ParamAttr = ParamAttr()
    ) throws -> Variable {
        let layer = layerName("batch_norm")
        guard x.shape.count >= 2, x.shape[1] > 0 else {
            throw FluidError.shapeMismatch(
                op: "batch_norm", slot: "X", message: "input \(x.shape) needs a known channel dimension 1")
        }
        let c = x.shape[1]
        let w = parameter(layer + ".w_0", shape: [c], attr: scale, defaultInitializer: .constant(1))
        let b = parameter(layer + ".b_0", shape: [c], attr: bias, defaultInitializer: .constant(0))
        let mean = persistable(layer + ".w_1", shape: [c], value: 0)
        let variance = persistable(layer + ".w_2", shape: [c], value: 1)
        let saved = (tmpName(layer), tmpName(layer))
        let reserve = tmpName(layer)
        let y = tmpName(layer)
        try block.appendInferred(
            OpDesc(
                type: "batch_norm",
                inputs: [
                    "X": [x.name], "Scale": [w.name], "Bias": [b.name], "Mean": [mean.name],
                    "Variance": [variance.name],
                ],
                outputs: [
                    "Y": [y], "MeanOut": [mean.name], "VarianceOut": [variance.name],
                    "SavedMean": [saved.0], "SavedVariance": [saved.1], "ReserveSpace": [reserve],
                ],
                attributes: [
                    "momentum": .float(momentum), "epsilon": .float(epsilon), "is_test": .bool(isTest),
                    "data_layout": .string("NCHW"), "use_global_stats": .bool(false),
                ]))
        for name in [saved.0, saved.1, reserve] { block.updateVar(name) { $0.stopGradient = true } }
        return try activate(try variable(y), act, layer: layer)
    }

    public enum DropoutImplementation: String, Sendable {
        case downgradeInInfer = "downgrade_in_infer"
        case upscaleInTrain = "upscale_in_train"
    }

    /// Dropout: zeroes each element with probability `prob` while training.
    public func dropout(
        _ x: Variable, prob: Float, isTest: Bool = false, seed: Int = 0,
        implementation: DropoutImplementation = .downgradeInInfer
    ) throws -> Variable {
        let (out, mask) = try append(
            "dropout", layer: layerName("dropout"), inputs: ["X": [x.name]], outputs: ("Out", "Mask"),
            attributes: [
                "dropout_prob": .float(prob), "is_test": .bool(isTest), "fix_seed": .bool(seed != 0),
                "seed": try int32Attribute(seed, name: "seed", op: "dropout"),
                "dropout_implementation": .string(implementation.rawValue),
            ])
        block.updateVar(mask.name) { $0.stopGradient = true }
        return out
    }
}
