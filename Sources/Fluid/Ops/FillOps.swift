/// `fill_constant`: a tensor of `shape` filled with `value` (or `str_value` when set), of `dtype`.
enum FillOps {
    static let fillConstant = OpDefinition(
        OpSchema(
            "fill_constant", outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("shape", .longs([])),
                AttributeSpec("value", .float(0)),
                AttributeSpec("str_value", .string("")),
                AttributeSpec("dtype", .int(DataType.float32.rawValue)),
                AttributeSpec("force_cpu", .bool(false)),
            ]),
        inferShape: { ctx in
            let shape = try ctx.op.ints("shape")
            let dtype = try ctx.op.dataType("dtype")
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw FluidError.attribute(op: ctx.op.type, name: "shape", message: "must be fully known, got \(shape)")
            }
            guard dtype != .float16 else {
                throw FluidError.attribute(op: ctx.op.type, name: "dtype", message: "float16 is not supported")
            }
            ctx.setOutput("Out", TensorMeta(dtype, shape))
        },
        kernel: { ctx in
            let out = try ctx.output("Out")
            let value = try fillValue(ctx.op)
            guard representable(value, as: out.dtype) else {
                throw FluidError.attribute(
                    op: ctx.op.type, name: "value", message: "\(value) does not fit dtype \(out.dtype)")
            }
            // Integers written as str_value keep every digit (a Double holds only 53 bits).
            if out.dtype == .int64, let exact = Int64(try ctx.op.string("str_value")) {
                return { out.pointer(as: Int64.self).update(repeating: exact, count: out.count) }
            }
            return { fill(out, with: value) }
        })

    /// `value`, or `str_value` when it is set (Paddle uses it for values a float cannot hold).
    static func fillValue(_ op: OpDesc) throws -> Double {
        let s = try op.string("str_value")
        if !s.isEmpty {
            switch s {
            case "inf": return .infinity
            case "-inf": return -.infinity
            case "nan": return .nan
            default:
                guard let v = Double(s) else {
                    throw FluidError.attribute(op: op.type, name: "str_value", message: "is not a number: '\(s)'")
                }
                return v
            }
        }
        return try op.double("value")
    }

    static let definitions = [fillConstant]
}

/// Whether `value` converts to `dtype` without trapping (integers need a finite value in range).
func representable(_ value: Double, as dtype: DataType) -> Bool {
    switch dtype {
    case .float32, .float64, .bool, .float16: return true
    case .int64: return Int64(exactly: value.rounded(.towardZero)) != nil
    case .int32: return Int32(exactly: value.rounded(.towardZero)) != nil
    case .int16: return Int16(exactly: value.rounded(.towardZero)) != nil
    case .int8: return Int8(exactly: value.rounded(.towardZero)) != nil
    case .uint8: return UInt8(exactly: value.rounded(.towardZero)) != nil
    }
}

/// Sets every element of `t` to `value`, converted to its dtype (`representable` first).
func fill(_ t: Tensor, with value: Double) {
    let n = t.count
    switch t.dtype {
    case .float32: t.pointer(as: Float.self).update(repeating: Float(value), count: n)
    case .float64: t.pointer(as: Double.self).update(repeating: value, count: n)
    case .int32: t.pointer(as: Int32.self).update(repeating: Int32(value), count: n)
    case .int64: t.pointer(as: Int64.self).update(repeating: Int64(value), count: n)
    case .uint8: t.pointer(as: UInt8.self).update(repeating: UInt8(value), count: n)
    case .int8: t.pointer(as: Int8.self).update(repeating: Int8(value), count: n)
    case .int16: t.pointer(as: Int16.self).update(repeating: Int16(value), count: n)
    case .bool: t.pointer(as: Bool.self).update(repeating: value != 0, count: n)
    case .float16: t.zero()
    }
}
