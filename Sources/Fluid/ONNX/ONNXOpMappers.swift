/// How each Paddle op becomes ONNX nodes (opset 13 operator versions; Specs/onnx-export.md has
/// the table). Each mapper reads the current op of the builder, whose attribute defaults are
/// filled and whose outputs' shapes are known, and appends nodes whose outputs keep the Paddle
/// variable names, so the next op finds them.
enum ONNXOpMappers {
    typealias Mapper = @Sendable (inout ONNXGraphBuilder, OpDesc) throws -> Void

    static let table: [String: Mapper] = [
        "conv2d": conv2d, "fused_conv2d": conv2d,
        "pool2d": pool2d, "batch_norm": batchNorm,
        "mul": mul, "fc": fc, "matmul_v2": matmulV2,
        "elementwise_add": elementwise("Add"), "elementwise_sub": elementwise("Sub"),
        "elementwise_mul": elementwise("Mul"), "elementwise_div": elementwise("Div"),
        "relu": unary("Relu"), "tanh": unary("Tanh"), "sigmoid": unary("Sigmoid"),
        "softmax": softmax, "dropout": dropout, "scale": scale,
        "reshape2": reshape2, "flatten_contiguous_range": flattenRange, "assign": unary("Identity"),
    ]

    static func unary(_ type: String) -> Mapper {
        { b, _ in b.node(type, [try b.input("X")], [try b.output("Out")]) }
    }

    /// Paddle's axis broadcasting: Y's dimensions line up with X's from `axis` on. ONNX
    /// broadcasts from the right, so a Y that does not end where X does gets trailing 1s: a
    /// parameter is written with them (bias [C] at axis 1 of NCHW becomes [C, 1, 1]), any other
    /// Y goes through Unsqueeze.
    static func elementwise(_ type: String) -> Mapper {
        { b, op in
            let x = try b.input("X")
            guard let paddleY = op.input("Y").first(where: isRealName) else { throw b.error("input Y is empty") }
            let y = b.value(paddleY)
            let (xRank, yShape) = (try b.meta(x).rank, try b.meta(y).shape)
            var axis = try op.int("axis")
            if axis < 0 { axis = xRank - yShape.count }
            guard axis >= 0, axis + yShape.count <= xRank else {
                throw b.error("Y \(yShape) does not fit X of rank \(xRank) at axis \(axis)")
            }
            let trailing = xRank - axis - yShape.count
            var right = y
            if trailing == 0 {
                try b.initializeIfParameter(paddleY)
            } else if let tensor = b.parameter(paddleY) {
                right = "\(y).broadcast\(trailing)"
                if !b.graph.initializers.contains(where: { $0.name == right }) {
                    b.graph.initializers.append(
                        ONNXTensor(
                            name: right, tensor: tensor, dims: tensor.shape + Array(repeating: 1, count: trailing)))
                }
            } else {
                right = b.intermediate("Y")
                let axes = b.constant("axes", dims: [trailing], values: (0..<trailing).map { Int64(yShape.count + $0) })
                b.node("Unsqueeze", [y, axes], [right])
            }
            b.node(type, [x, right], [try b.output("Out")])
        }
    }

    static func softmax(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        b.node("Softmax", [try b.input("X")], [try b.output("Out")], [ONNXAttribute("axis", .int(try op.int("axis")))])
    }

    /// Test-mode dropout: `upscale_in_train` scaled at training time, so it passes values on;
    /// `downgrade_in_infer` (fluid's default) scales by 1 - p at inference.
    static func dropout(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        let (x, out) = (try b.input("X"), try b.output("Out"))
        if try op.string("dropout_implementation") == "upscale_in_train" {
            b.node("Identity", [x], [out])
        } else {
            let keep = b.constant("keep", dims: [], values: [1 - (try op.float("dropout_prob"))])
            b.node("Mul", [x, keep], [out])
        }
    }

    /// scale: `scale * x + bias` when `bias_after_scale`, else `scale * (x + bias)`; a factor of
    /// 1 or a bias of 0 writes no node, and a scale that does nothing becomes Identity.
    static func scale(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        guard !op.input("ScaleTensor").contains(where: isRealName) else {
            throw b.error("a ScaleTensor input (a factor computed at run time) has no export")
        }
        let (x, out) = (try b.input("X"), try b.output("Out"))
        let (factor, bias) = (try op.float("scale"), try op.float("bias"))
        var steps: [(type: String, value: Float)] = []
        if factor != 1 { steps.append(("Mul", factor)) }
        if bias != 0 {
            let add = (type: "Add", value: bias)
            if try op.bool("bias_after_scale") { steps.append(add) } else { steps.insert(add, at: 0) }
        }
        guard !steps.isEmpty else { return b.node("Identity", [x], [out]) }
        var current = x
        for (i, step) in steps.enumerated() {
            let operand = b.constant(step.type == "Mul" ? "scale" : "bias", dims: [], values: [step.value])
            let next = i == steps.count - 1 ? out : b.intermediate("scaled")
            b.node(step.type, [current, operand], [next])
            current = next
        }
    }

    /// reshape2: Paddle's shape attribute has ONNX Reshape's meaning (0 copies a dimension, -1
    /// is inferred), written as an int64 initializer.
    static func reshape2(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        guard !op.input("Shape").contains(where: isRealName), !op.input("ShapeTensor").contains(where: isRealName)
        else { throw b.error("a shape computed at run time (Shape or ShapeTensor input) has no export") }
        let shape = try op.ints("shape").map(Int64.init)
        let constant = b.constant("shape", dims: [shape.count], values: shape)
        b.node("Reshape", [try b.input("X"), constant], [try b.output("Out")])
    }

    /// flatten_contiguous_range from start_axis to the last axis is ONNX Flatten when it starts
    /// at 1; otherwise a Reshape keeping the outer dimensions (0) and the known inner ones.
    static func flattenRange(_ b: inout ONNXGraphBuilder, _ op: OpDesc) throws {
        let (x, out) = (try b.input("X"), try b.output("Out"))
        let shape = try b.meta(x).shape
        let rank = shape.count
        var (start, stop) = (try op.int("start_axis"), try op.int("stop_axis"))
        if start < 0 { start += rank }
        if stop < 0 { stop += rank }
        guard 0 <= start, start <= stop, stop < max(rank, 1) else {
            throw b.error("axes \(start)...\(stop) do not fit a rank-\(rank) input")
        }
        if start == 1 && stop == rank - 1 { return b.node("Flatten", [x], [out], [ONNXAttribute("axis", .int(1))]) }
        let inner = shape[(stop + 1)...]
        guard inner.allSatisfy({ $0 >= 0 }) else {
            throw b.error("the dimensions after stop_axis \(Array(inner)) must be known to export")
        }
        let target = Array(repeating: Int64(0), count: start) + [-1] + inner.map(Int64.init)
        let constant = b.constant("shape", dims: [target.count], values: target)
        b.node("Reshape", [x, constant], [out])
    }
}
