/// `coalesce_tensor`, Paddle's op that lays several tensors end to end in one buffer:
/// FusedOutput is a 1-D tensor holding every Input's elements, each starting on an aligned
/// offset, and each Output becomes a view of its slice (Paddle's ShareDataWith), so an op on
/// FusedOutput (one `c_allreduce_sum` for a bucket of gradients) acts on all of them at once.
///
/// Slots: Input (many; their shapes give the layout), Output (as many; Output i takes Input
/// i's shape), FusedOutput. Attributes as Paddle's: `dtype` (every Input's, -1 for Input 0's),
/// `copy_data` (copy each Input into its slice), `set_constant` and `constant` (otherwise fill
/// the buffer with `constant`), `use_align` and `align_size` (slices start on multiples of
/// `align_size` bytes, 64 when it is -1, the storage alignment; without `use_align` they are
/// packed), `check_name` (Input and Output must name the same variables); `persist_output`,
/// `user_defined_size_of_dtype`, `concated_shapes` and `concated_ranks` are accepted and ignored.
///
/// The views are made when the plan is compiled, before the ops after it bind their tensors,
/// and checked again at every run; they hold while the outputs keep their shapes, which the
/// executor guarantees for a plan's outputs. No gradient: it is inserted after the backward pass.
enum CoalesceTensorOps {
    static let defaultAlignment = 64

    static let coalesceTensor = OpDefinition(
        OpSchema(
            "coalesce_tensor", inputs: [.many("Input")], outputs: [.many("Output"), SlotSpec("FusedOutput")],
            attributes: [
                AttributeSpec("dtype", .int(-1)), AttributeSpec("copy_data", .bool(false)),
                AttributeSpec("set_constant", .bool(false)), AttributeSpec("persist_output", .bool(false)),
                AttributeSpec("constant", .float(0)), AttributeSpec("check_name", .bool(false)),
                AttributeSpec("use_align", .bool(true)), AttributeSpec("align_size", .int(-1)),
                AttributeSpec("user_defined_size_of_dtype", .int(-1)), AttributeSpec("concated_shapes", .ints([])),
                AttributeSpec("concated_ranks", .ints([])),
            ]),
        inferShape: { ctx in
            let layout = try Layout(ctx)
            for (i, meta) in layout.inputs.enumerated() { ctx.setOutput("Output", meta, at: i) }
            ctx.setOutput("FusedOutput", TensorMeta(layout.dtype, [layout.totalElements]))
        },
        kernel: { ctx in
            let inputs = ctx.inputs("Input")
            let outputs = try inputs.indices.map { try ctx.output("Output", at: $0) }
            let fused = try ctx.output("FusedOutput")
            let elementSize = fused.dtype.size
            let offsets = try Layout.offsets(
                counts: inputs.map(\.count), elementSize: elementSize, alignment: try Layout.alignment(ctx.op)
            ).map { $0 * elementSize }
            let copyData = try ctx.op.bool("copy_data")
            let constant: Float? = try ctx.op.bool("set_constant") ? ctx.op.float("constant") : nil
            if let constant, !fused.dtype.isFloatingPoint, !(constant.isFinite && abs(constant) < 2e9) {
                throw ctx.error("constant \(constant) does not fit the \(fused.dtype) elements of FusedOutput")
            }
            func share() {
                for (i, out) in outputs.enumerated() where !out.sharesStorage(of: fused, byteOffset: offsets[i]) {
                    // An in-place Input keeps its values when copy_data asks for them.
                    if copyData && inputs[i] === out {
                        (fused.rawPointer + offsets[i]).copyMemory(from: out.rawPointer, byteCount: out.byteCount)
                    }
                    out.shareStorage(of: fused, byteOffset: offsets[i])
                }
            }
            share()
            return {
                share()
                if copyData {
                    for (i, input) in inputs.enumerated() where input !== outputs[i] {
                        (fused.rawPointer + offsets[i]).copyMemory(from: input.rawPointer, byteCount: input.byteCount)
                    }
                } else if let constant {
                    fill(fused, with: constant)
                }
            }
        })

    static let definitions = [coalesceTensor]

    /// The slices' layout, from the Input metas.
    struct Layout {
        var dtype: DataType
        var inputs: [TensorMeta]
        var totalElements: Int

        init(_ ctx: ShapeContext) throws {
            let op = ctx.op
            guard !op.input("Input").isEmpty else { throw ctx.error("Input", "needs at least one variable") }
            guard op.output("Output").count == op.input("Input").count else {
                throw ctx.error(
                    "Output",
                    "holds \(op.output("Output").count) variables, but Input holds \(op.input("Input").count)")
            }
            if try op.bool("check_name"), op.input("Input") != op.output("Output") {
                throw ctx.error("Output", "must name the variables of Input (check_name is set)")
            }
            inputs = try ctx.inputs("Input")
            dtype = try op.int("dtype") == -1 ? inputs[0].dtype : op.dataType("dtype")
            guard CollectiveOps.elementTypes.contains(dtype) else {
                throw FluidError.dtypeMismatch(
                    op: op.type, slot: "Input",
                    message: "is \(dtype); coalesce_tensor takes float32, float64, int32 or int64")
            }
            for (i, meta) in inputs.enumerated() {
                guard meta.dtype == dtype else {
                    throw FluidError.dtypeMismatch(
                        op: op.type, slot: "Input", message: "Input[\(i)] is \(meta); every Input must hold \(dtype)")
                }
                guard meta.shape.allSatisfy({ $0 >= 0 }) else {
                    throw ctx.error("Input", "Input[\(i)] has an unknown size \(meta.shape); each slice needs its size")
                }
            }
            let offsets = try Self.offsets(
                counts: inputs.map { knownProduct($0.shape) }, elementSize: dtype.size,
                alignment: try Self.alignment(op))
            totalElements = offsets.last ?? 0
        }

        /// Bytes each slice starts on a multiple of; 0 for packed slices.
        static func alignment(_ op: OpDesc) throws -> Int {
            guard try op.bool("use_align") else { return 0 }
            let size = try op.int("align_size")
            guard size == -1 || size > 0 else {
                throw FluidError.attribute(
                    op: op.type, name: "align_size", message: "is \(size); it must be positive, or -1 for the default")
            }
            return size == -1 ? CoalesceTensorOps.defaultAlignment : size
        }

        /// The element offset of each slice, and after them the total element count.
        static func offsets(counts: [Int], elementSize: Int, alignment: Int) throws -> [Int] {
            var offsets = [0]
            for count in counts {
                var bytes = count * elementSize
                if alignment > 0 { bytes = (bytes + alignment - 1) / alignment * alignment }
                guard bytes % elementSize == 0 else {
                    throw FluidError.invalidArgument(
                        name: "align_size",
                        message: "\(alignment) bytes is not a whole number of \(elementSize)-byte elements")
                }
                offsets.append(offsets[offsets.count - 1] + bytes / elementSize)
            }
            return offsets
        }
    }

    static func fill(_ t: Tensor, with value: Float) {
        switch t.dtype {
        case .float32: t.pointer(as: Float.self).update(repeating: value, count: t.count)
        case .float64: t.pointer(as: Double.self).update(repeating: Double(value), count: t.count)
        case .int32: t.pointer(as: Int32.self).update(repeating: Int32(value), count: t.count)
        case .int64: t.pointer(as: Int64.self).update(repeating: Int64(value), count: t.count)
        default: preconditionFailure("coalesce_tensor holds \(t.dtype), which shape inference refuses")
        }
    }
}
