/// The mappings of the network layers: convolution, pooling, batch_norm and the matrix
/// products of fully connected layers.
extension ONNXOpMappers {
    /// conv2d (and fused_conv2d, whose Bias and activation follow) ->
    /// Conv. Paddle's paddings [h, w] pad both sides; [top, bottom, left, right] become ONNX's
    /// [top, left, bottom, right]. SAME becomes auto_pad SAME_UPPER, VALID no padding.
    static func conv2d(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        try requireNCHW(b, op, "data_format")
        let (x, filter, out) = (try b.input("Input"), try b.input("Filter"), try b.output("Output"))
        let kernel = try b.meta(filter).shape
        guard kernel.count == 4 else { throw b.error("Filter \(kernel) is not [M, C/groups, kH, kW]") }
        var attributes = [
            ONNXAttribute("kernel_shape", .ints(Array(kernel[2...]))),
            ONNXAttribute("strides", .ints(try op.ints("strides"))),
            ONNXAttribute("dilations", .ints(try op.ints("dilations"))),
            ONNXAttribute("group", .int(try op.int("groups"))),
        ]
        attributes += try padding(b, op)
        var inputs = [x, filter]
        if op.type == "fused_conv2d", let bias = try b.optionalInput("Bias") { inputs.append(bias) }
        let activation = op.type == "fused_conv2d" ? try op.string("fuse_activation") : ""
        switch activation {
        case "":
            b.node("Conv", inputs, [out], attributes)
        case "relu":
            let convolved = b.intermediate("conv")
            b.node("Conv", inputs, [convolved], attributes)
            b.node("Relu", [convolved], [out])
        default:
            throw b.error("fuse_activation '\(activation)' has no export (relu and none do)")
        }
    }

    /// pool2d -> MaxPool / AveragePool (count_include_pad = !exclusive, ceil_mode), or
    /// GlobalMaxPool / GlobalAveragePool for global pooling and adaptive pooling to 1 x 1.
    static func pool2d(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        try requireNCHW(b, op, "data_format")
        let (x, out) = (try b.input("X"), try b.output("Out"))
        let type = try op.string("pooling_type")
        guard type == "max" || type == "avg" else { throw b.error("pooling_type '\(type)' has no export") }
        let ksize = try op.ints("ksize")
        let adaptive = try op.bool("adaptive")
        if try op.bool("global_pooling") || (adaptive && ksize == [1, 1]) {
            return b.node(type == "max" ? "GlobalMaxPool" : "GlobalAveragePool", [x], [out])
        }
        guard !adaptive else { throw b.error("adaptive pooling to \(ksize) has no export (only to 1 x 1)") }
        var attributes = [
            ONNXAttribute("kernel_shape", .ints(ksize)), ONNXAttribute("strides", .ints(try op.ints("strides"))),
            ONNXAttribute("ceil_mode", .int(try op.bool("ceil_mode") ? 1 : 0)),
        ]
        attributes += try padding(b, op)
        if type == "avg" {
            attributes.append(ONNXAttribute("count_include_pad", .int(try op.bool("exclusive") ? 0 : 1)))
        }
        b.node(type == "max" ? "MaxPool" : "AveragePool", [x], [out], attributes)
    }

    /// `pads` (or `auto_pad`) from Paddle's paddings and padding_algorithm.
    static func padding(_ b: ONNXGraphBuilder, _ op: OpDesc) throws -> [ONNXAttribute] {
        switch try op.string("padding_algorithm") {
        case "SAME": return [ONNXAttribute("auto_pad", .string("SAME_UPPER"))]
        case "VALID": return [ONNXAttribute("pads", .ints([0, 0, 0, 0]))]
        default:
            let p = try op.ints("paddings")
            switch p.count {
            case 2: return [ONNXAttribute("pads", .ints([p[0], p[1], p[0], p[1]]))]
            case 4: return [ONNXAttribute("pads", .ints([p[0], p[2], p[1], p[3]]))]
            default: throw b.error("paddings \(p) hold neither 2 nor 4 values")
            }
        }
    }

    static func requireNCHW(_ b: ONNXGraphBuilder, _ op: OpDesc, _ attribute: String) throws {
        let layout = (try? op.string(attribute)) ?? "NCHW"
        guard layout == "NCHW" || layout == "AnyLayout" else {
            throw b.error("\(attribute) '\(layout)' has no export (ONNX convolutions and pooling are NCHW)")
        }
    }

    /// batch_norm in test mode -> BatchNormalization with the running mean and variance.
    static func batchNorm(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        try requireNCHW(b, op, "data_layout")
        let inputs = [
            try b.input("X"), try b.input("Scale"), try b.input("Bias"), try b.input("Mean"), try b.input("Variance"),
        ]
        b.node(
            "BatchNormalization", inputs, [try b.output("Y")],
            [ONNXAttribute("epsilon", .float(try op.float("epsilon")))])
    }

    /// mul: X flattened to 2-D at x_num_col_dims, times a 2-D Y. Flatten gives [N, rest] for
    /// x_num_col_dims 1; larger values need X's leading sizes to reshape the product back.
    static func mul(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        let (x, y, out) = (try b.input("X"), try b.input("Y"), try b.output("Out"))
        guard try op.int("y_num_col_dims") == 1, try b.meta(y).rank == 2 else {
            throw b.error(
                "a Y of rank \(try b.meta(y).rank) with y_num_col_dims \(try op.int("y_num_col_dims")) has no export (a 2-D Y does)"
            )
        }
        let flat = try flattened(&b, x, at: op.int("x_num_col_dims"), name: "flat")
        try reshapedBack(&b, flat.leading, product: { b, target in b.node("MatMul", [flat.name, y], [target]) }, out)
    }

    /// fc -> Gemm (Input flattened at in_num_col_dims, W, Bias), and Relu for activation_type relu.
    static func fc(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        let (x, w, out) = (try b.input("Input"), try b.input("W"), try b.output("Out"))
        let activation = try op.string("activation_type")
        guard activation == "" || activation == "relu" else {
            throw b.error("activation_type '\(activation)' has no export (relu and none do)")
        }
        let flat = try flattened(&b, x, at: op.int("in_num_col_dims"), name: "flat")
        let bias = try b.optionalInput("Bias")
        try reshapedBack(
            &b, flat.leading,
            product: { b, target in
                let product = activation == "relu" ? b.intermediate("gemm") : target
                b.node(bias == nil ? "MatMul" : "Gemm", [flat.name, w] + (bias.map { [$0] } ?? []), [product])
                if activation == "relu" { b.node("Relu", [product], [target]) }
            }, out)
    }

    /// `x` as 2-D [prod(dims < axis), prod(dims >= axis)] (itself when it is 2-D at axis 1),
    /// and the leading sizes a product must be reshaped back to (nil when it stays 2-D).
    static func flattened(_ b: inout ONNXGraphBuilder, _ x: String, at axis: Int, name: String) throws -> (
        name: String, leading: [Int]?
    ) {
        let shape = try b.meta(x).shape
        guard 1 <= axis, axis < shape.count else { throw b.error("num_col_dims \(axis) does not fit X \(shape)") }
        var leading: [Int]? = nil
        if axis > 1 {
            guard shape[1..<axis].allSatisfy({ $0 >= 0 }) else {
                throw b.error("X \(shape) flattened at \(axis) needs its leading sizes known to export")
            }
            leading = Array(shape[..<axis])
        }
        if shape.count == 2 { return (x, leading) }
        let flat = b.intermediate(name)
        b.node("Flatten", [x], [flat], [ONNXAttribute("axis", .int(axis))])
        return (flat, leading)
    }

    /// Writes `product` into `out`, through a Reshape to `leading + [-1]` when the product must
    /// regain X's leading dimensions (the first may be the batch: 0 keeps it).
    static func reshapedBack(
        _ b: inout ONNXGraphBuilder, _ leading: [Int]?, product: (inout ONNXGraphBuilder, String) throws -> Void,
        _ out: String
    ) throws {
        guard let leading else { return try product(&b, out) }
        let flat = b.intermediate("product")
        try product(&b, flat)
        let shape =
            [Int64(-1)] + leading.dropFirst().map(Int64.init) + [try b.meta(out).shape.last.map(Int64.init) ?? -1]
        let constant = b.constant("shape", dims: [shape.count], values: shape)
        b.node("Reshape", [flat, constant], [out])
    }

    /// matmul_v2 -> MatMul, with a Transpose of the last two axes for trans_x / trans_y.
    static func matmulV2(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        var operands = [try b.input("X"), try b.input("Y")]
        for (i, flag) in ["trans_x", "trans_y"].enumerated() where try op.bool(flag) {
            let rank = try b.meta(operands[i]).rank
            guard rank >= 2 else { throw b.error("\(flag) on a rank-\(rank) operand has no export") }
            let transposed = b.intermediate(i == 0 ? "xT" : "yT")
            let perm = Array(0..<(rank - 2)) + [rank - 1, rank - 2]
            b.node("Transpose", [operands[i]], [transposed], [ONNXAttribute("perm", .ints(perm))])
            operands[i] = transposed
        }
        b.node("MatMul", operands, [try b.output("Out")])
    }
}
