import CProtobufC
import Foundation

/// Owns the C memory of protobuf-c messages built for packing: every message, string and array
/// allocated through it is freed with it, and so are messages unpacked into it.
final class ProtoArena {
    private var allocations: [UnsafeMutableRawPointer] = []
    private var unpacked: [UnsafeMutablePointer<ProtobufCMessage>] = []

    deinit {
        for p in allocations { free(p) }
        for m in unpacked { protobuf_c_message_free_unpacked(m, nil) }
    }

    /// A new message, set to its defaults by the generated `init` function.
    func message<Message>(_ initialize: (UnsafeMutablePointer<Message>) -> Void) -> UnsafeMutablePointer<Message> {
        let p = allocate(Message.self, count: 1)
        initialize(p)
        return p
    }

    /// A NUL-terminated copy of `s`.
    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(s.utf8CString)
        let p = allocate(CChar.self, count: utf8.count)
        p.initialize(from: utf8, count: utf8.count)
        return p
    }

    /// A C array holding `values` (nil when empty, as protobuf-c expects for no elements).
    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let p = allocate(T.self, count: values.count)
        p.initialize(from: values, count: values.count)
        return p
    }

    func strings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        array(values.map { Optional(string($0)) })
    }

    /// The message `bytes` serialize, unpacked with `descriptor` and freed with the arena; nil
    /// when they do not parse.
    func unpack<Message>(
        _ bytes: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        as type: Message.Type
    ) -> UnsafeMutablePointer<Message>? {
        guard let m = unpackMessage(bytes, descriptor) else { return nil }
        unpacked.append(m)
        return UnsafeMutableRawPointer(m).assumingMemoryBound(to: Message.self)
    }

    /// Attaches retained unknown fields to a message's base, to be packed after its known fields.
    func attach(_ fields: [RetainedFields.UnknownField], to base: inout ProtobufCMessage) {
        guard !fields.isEmpty else { return }
        let items = fields.map { f in
            ProtobufCMessageUnknownField(
                tag: f.tag, wire_type: ProtobufCWireType(rawValue: f.wireType),
                len: f.bytes.count, data: array(f.bytes))
        }
        base.n_unknown_fields = UInt32(items.count)
        base.unknown_fields = array(items)
    }

    private func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, MemoryLayout<T>.stride * count)
        guard let raw = malloc(bytes) else {
            // Out of memory while packing: no caller can recover either.
            preconditionFailure("ProtoArena: cannot allocate \(bytes) bytes")
        }
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }
}

/// Unpacks `bytes` as the message `descriptor` describes (nil when they do not parse); the
/// caller frees the result with `protobuf_c_message_free_unpacked`.
func unpackMessage(_ bytes: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafeMutablePointer<
    ProtobufCMessage
>? {
    bytes.withUnsafeBufferPointer { protobuf_c_message_unpack(descriptor, nil, $0.count, $0.baseAddress) }
}
