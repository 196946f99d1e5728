import CProtobufC

/// protobuf-c stores an enum field in a C `int` and keeps only the low 32 bits of a wider
/// varint, so a TensorDesc whose `data_type` is 2^40|5 unpacks as FP32 (5) without complaint.
/// The generated code still parses every message; this check only re-reads the varints of the
/// ENUM fields, found through the generated descriptors, and reports the first one whose value
/// does not fit an Int32. Run it on bytes the generated unpack has accepted.
enum ProtoEnumWidthCheck {
    // PROTOBUF_C_TYPE_ENUM and PROTOBUF_C_TYPE_MESSAGE (protobuf-c.h's ProtobufCType order),
    // which Swift does not import by name from the anonymous C enum.
    private static let enumType: UInt32 = 13, messageType: UInt32 = 16

    /// The first enum field (dotted path from `descriptor`'s message) whose varint does not fit
    /// 32 bits, with its value; nil when all fit.
    static func firstOverflow(in bytes: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>)
        -> (field: String, value: Int64)?
    {
        bytes.withUnsafeBufferPointer { scan($0, descriptor, path: String(cString: descriptor.pointee.short_name)) }
    }

    private static func scan(
        _ b: UnsafeBufferPointer<UInt8>, _ d: UnsafePointer<ProtobufCMessageDescriptor>,
        path: String
    ) -> (field: String, value: Int64)? {
        var i = 0
        while i < b.count {
            guard let tag = varint(b, &i) else { return nil }
            let field = fieldDescriptor(d, id: UInt32(truncatingIfNeeded: tag >> 3))
            let isEnum = field?.type.rawValue == enumType
            let name = field.map { path + "." + String(cString: $0.name) } ?? path
            switch tag & 7 {
            case 0:
                guard let v = varint(b, &i) else { return nil }
                if isEnum, Int32(exactly: Int64(bitPattern: v)) == nil { return (name, Int64(bitPattern: v)) }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(b, &i), length <= UInt64(b.count - i) else { return nil }
                let sub = UnsafeBufferPointer(rebasing: b[i..<i + Int(length)])
                i += Int(length)
                if let field, field.type.rawValue == messageType, let nested = field.descriptor {
                    if let bad = scan(sub, nested.assumingMemoryBound(to: ProtobufCMessageDescriptor.self), path: name)
                    {
                        return bad
                    }
                } else if isEnum {  // a packed repeated enum
                    var j = 0
                    while j < sub.count {
                        guard let v = varint(sub, &j) else { return nil }
                        if Int32(exactly: Int64(bitPattern: v)) == nil { return (name, Int64(bitPattern: v)) }
                    }
                }
            default: return nil  // groups: not in framework.proto
            }
        }
        return nil
    }

    private static func fieldDescriptor(_ d: UnsafePointer<ProtobufCMessageDescriptor>, id: UInt32)
        -> ProtobufCFieldDescriptor?
    {
        guard let fields = d.pointee.fields else { return nil }
        for k in 0..<Int(d.pointee.n_fields) where fields[k].id == id { return fields[k] }
        return nil
    }

    /// A base-128 varint at `i` (at most 10 bytes); nil when truncated.
    private static func varint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard i < b.count else { return nil }
            let byte = b[i]
            i += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }
}
