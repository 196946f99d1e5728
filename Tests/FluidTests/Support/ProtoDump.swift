import CProtobufC
import Foundation

/// A canonical text of any protobuf-c message, walked through its descriptor (independent of
/// SwiftFluid's codec): one line per field value, optional fields at their default when absent,
/// op attributes sorted by name (their order is not meaningful), unknown fields as hex.
enum ProtoDump {
    static func dump(_ message: UnsafePointer<ProtobufCMessage>) -> [String] {
        var lines: [String] = []
        walk(UnsafeRawPointer(message), message.pointee.descriptor, path: "", into: &lines)
        return lines
    }

    private static func walk(
        _ base: UnsafeRawPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        path: String, into lines: inout [String]
    ) {
        let d = descriptor.pointee
        for i in 0..<Int(d.n_fields) {
            let f = d.fields[i]
            let name = path + "." + String(cString: f.name)
            let value = base + Int(f.offset)
            switch Int(f.label.rawValue) {
            case Label.repeated:
                let n = (base + Int(f.quantifier_offset)).load(as: Int.self)
                guard n > 0, let array = value.load(as: UnsafeRawPointer?.self) else { continue }
                var items: [[String]] = []
                for k in 0..<n {
                    var item: [String] = []
                    element(array + k * size(f.type), f, name: "\(name)[]", into: &item)
                    items.append(item)
                }
                if String(cString: f.name) == "attrs" { items.sort { $0.joined() < $1.joined() } }
                lines += items.joined()
            case Label.optional where kind(f) == Kind.message || kind(f) == Kind.string:
                if value.load(as: UnsafeRawPointer?.self) != nil {
                    element(value, f, name: name, into: &lines)
                } else if kind(f) == Kind.string {
                    lines.append("\(name) = \"\"")
                }
            case Label.optional:
                let present = (base + Int(f.quantifier_offset)).load(as: Int32.self) != 0
                if present {
                    element(value, f, name: name, into: &lines)
                } else if let dv = f.default_value {
                    element(dv, f, name: name, into: &lines)
                } else {
                    lines.append("\(name) = 0")
                }
            default:
                element(value, f, name: name, into: &lines)
            }
        }
        let message = base.assumingMemoryBound(to: ProtobufCMessage.self).pointee
        for k in 0..<Int(message.n_unknown_fields) {
            let u = message.unknown_fields[k]
            let bytes = UnsafeBufferPointer(start: u.data, count: u.len).map { String(format: "%02x", $0) }.joined()
            lines.append("\(path).unknown(\(u.tag), \(u.wire_type.rawValue)) = \(bytes)")
        }
    }

    /// ProtobufCLabel and ProtobufCType values (C enums Swift imports without their constants).
    private enum Label { static let required = 0, optional = 1, repeated = 2 }
    private enum Kind {
        static let int32 = 0, sint32 = 1, sfixed32 = 2, int64 = 3, sint64 = 4, sfixed64 = 5, uint32 = 6, fixed32 = 7
        static let uint64 = 8, fixed64 = 9, float = 10, double = 11, bool = 12, `enum` = 13, string = 14, bytes = 15,
            message = 16
    }

    private static func kind(_ f: ProtobufCFieldDescriptor) -> Int { Int(f.type.rawValue) }

    private static func size(_ type: ProtobufCType) -> Int {
        switch Int(type.rawValue) {
        case Kind.int64, Kind.sint64, Kind.sfixed64, Kind.uint64,
            Kind.fixed64, Kind.double:
            8
        case Kind.string, Kind.message: MemoryLayout<UnsafeRawPointer>.size
        case Kind.bytes: MemoryLayout<ProtobufCBinaryData>.stride
        default: 4
        }
    }

    private static func element(
        _ p: UnsafeRawPointer, _ f: ProtobufCFieldDescriptor, name: String, into lines: inout [String]
    ) {
        switch kind(f) {
        case Kind.int64, Kind.sint64, Kind.sfixed64: lines.append("\(name) = \(p.load(as: Int64.self))")
        case Kind.uint64, Kind.fixed64: lines.append("\(name) = \(p.load(as: UInt64.self))")
        case Kind.double: lines.append("\(name) = \(p.load(as: Double.self).bitPattern)")
        case Kind.float: lines.append("\(name) = \(p.load(as: Float.self).bitPattern)")
        case Kind.uint32, Kind.fixed32: lines.append("\(name) = \(p.load(as: UInt32.self))")
        case Kind.bool: lines.append("\(name) = \(p.load(as: Int32.self) != 0)")
        case Kind.string:
            lines.append("\(name) = \"\(p.load(as: UnsafePointer<CChar>?.self).map { String(cString: $0) } ?? "")\"")
        case Kind.message:
            guard let m = p.load(as: UnsafeRawPointer?.self) else { return }
            let sub = m.assumingMemoryBound(to: ProtobufCMessage.self)
            walk(m, sub.pointee.descriptor, path: name, into: &lines)
        default: lines.append("\(name) = \(p.load(as: Int32.self))")
        }
    }
}
