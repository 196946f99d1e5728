import CFrameworkProto
import CProtobufC
import Foundation

/// Paddle's ProgramDesc protobuf (Specs/framework.proto) to and from `Program`, through the C
/// code protoc-c generates. Everything a file holds survives a read and write: fields SwiftFluid
/// does not model are kept in each element's `retained` fields.
///
/// ```swift
/// let program = try ProgramDesc.decode(try Data(contentsOf: url), source: url.path)
/// let bytes = ProgramDesc.encode(program)
/// ```
public enum ProgramDesc {
    /// Decodes a serialized ProgramDesc. `source` names the file in errors. Data larger than
    /// `FluidLimits.maxModelBytes` is refused before it is unpacked.
    public static func decode(_ data: Data, source: String) throws -> Program {
        let limit = FluidLimits.maxModelBytes
        guard data.count <= limit else {
            throw FluidError.file(
                path: source,
                message: "is \(data.count) bytes, more than \(FluidLimits.refusal(.maxModelBytes, value: limit))")
        }
        let bytes = [UInt8](data)
        guard
            let desc = bytes.withUnsafeBufferPointer({
                paddle__framework__proto__program_desc__unpack(nil, $0.count, $0.baseAddress)
            })
        else {
            throw FluidError.file(
                path: source,
                message:
                    "is not a valid ProgramDesc: the protobuf does not parse (truncated or corrupt, or not a model file)"
            )
        }
        defer { paddle__framework__proto__program_desc__free_unpacked(desc, nil) }
        // protobuf-c would silently keep the low 32 bits of a wider enum (a data type, an AttrType).
        if let (field, value) = withUnsafePointer(
            to: paddle__framework__proto__program_desc__descriptor,
            {
                ProtoEnumWidthCheck.firstOverflow(in: bytes, $0)
            })
        {
            throw FluidError.file(
                path: source,
                message: "is not a valid ProgramDesc: enum field \(field) is \(value), which does not fit 32 bits")
        }
        var reader = DescReader(source: source)
        return try reader.program(desc.pointee)
    }
}

/// Walks an unpacked ProgramDesc into the IR, naming the element at fault in every error.
private struct DescReader {
    let source: String

    func failure(_ message: String) -> FluidError { .file(path: source, message: message) }

    mutating func program(_ d: Paddle__Framework__Proto__ProgramDesc) throws -> Program {
        let program = Program()
        let blockDescs = buffer(d.n_blocks, d.blocks).compactMap { $0?.pointee }
        guard !blockDescs.isEmpty else { throw failure("the ProgramDesc has no blocks") }
        try program.setBlocks { program in
            try blockDescs.enumerated().map { i, b in
                try block(b, position: i, count: blockDescs.count, program: program)
            }
        }
        if let v = d.version, v.pointee.has_version != 0 { program.compatibleVersion = v.pointee.version }
        if let map = d.op_version_map {
            program.opVersions = buffer(map.pointee.n_pair, map.pointee.pair).compactMap { pair in
                guard let p = pair?.pointee else { return nil }
                return OpVersion(op: cString(p.op_name), version: p.op_version?.pointee.version ?? 0)
            }
        }
        program.retained.unknown = unknownFields(d.base)
        return program
    }

    mutating func block(_ d: Paddle__Framework__Proto__BlockDesc, position: Int, count: Int, program: Program) throws
        -> Block
    {
        guard Int(d.idx) == position else { throw failure("block \(position) says its index is \(d.idx)") }
        guard d.parent_idx >= -1, Int(d.parent_idx) < count, Int(d.parent_idx) != position else {
            throw failure("block \(position) has parent index \(d.parent_idx), but the program has \(count) blocks")
        }
        let b = Block(program: program, index: position, parentIndex: Int(d.parent_idx))
        if d.has_forward_block_idx != 0 { b.forwardBlockIndex = Int(d.forward_block_idx) }
        for v in buffer(d.n_vars, d.vars) {
            guard let v else { continue }
            let desc = try variable(v.pointee, block: position)
            guard !b.hasLocalVar(desc.name) else {
                throw failure("block \(position) declares variable '\(desc.name)' twice")
            }
            b.addVar(desc)
        }
        b.ops = try buffer(d.n_ops, d.ops).compactMap { $0 }.enumerated().map { i, o in
            try op(o.pointee, index: i, block: position)
        }
        b.retained.unknown = unknownFields(d.base)
        return b
    }

    func variable(_ d: Paddle__Framework__Proto__VarDesc, block: Int) throws -> VarDesc {
        let name = cString(d.name)
        func bad(_ message: String) -> FluidError { failure("variable '\(name)' in block \(block): \(message)") }
        guard !name.isEmpty else { throw failure("a variable in block \(block) has an empty name") }
        guard let type = d.type?.pointee else { throw bad("has no type") }
        guard let kind = VarKind(rawValue: Int32(bitPattern: type.type.rawValue)) else {
            throw bad("has type code \(type.type.rawValue), which is not a variable kind SwiftFluid knows")
        }
        var v = VarDesc(
            name: name, kind: kind, persistable: d.persistable != 0, stopGradient: d.stop_gradient != 0,
            isParameter: d.is_parameter != 0, needCheckFeed: d.need_check_feed != 0)
        v.dtype = .float32
        if let (tensor, lodLevel) = Self.tensorDesc(of: type, kind: kind) {
            let code = Int32(bitPattern: tensor.data_type.rawValue)
            guard let dtype = DataType(rawValue: code) else {
                throw bad(
                    "has element type \(code), which SwiftFluid does not support (it supports \(DataType.allCases.map(\.description).joined(separator: ", ")))"
                )
            }
            let dims = buffer(tensor.n_dims, tensor.dims)
            for dim in dims where dim < -1 || dim > Int64(Int32.max) {
                throw bad("has dimension \(dim) in its shape \(dims), which is neither -1 (unknown) nor a size")
            }
            v.dtype = dtype
            v.shape = dims.map { Int($0) }
            guard lodLevel >= 0 else { throw bad("has LoD level \(lodLevel)") }
            v.lodLevel = Int(lodLevel)
        }
        // Keep the VarType's bytes when SwiftFluid's view of it would not write it back exactly.
        let original = d.type.map(packed) ?? []
        if original != VarTypeWriter.bytes(of: v) {
            v.retained.varType = .init(
                bytes: original, kind: v.kind, dtype: v.dtype, shape: v.shape, lodLevel: v.lodLevel)
        }
        v.retained.varAttributes = buffer(d.n_attrs, d.attrs).compactMap { a in
            a.map(packed)
        }
        v.retained.unknown = unknownFields(d.base)
        return v
    }

    /// The tensor description of the kinds that have one, with its LoD level.
    static func tensorDesc(of t: Paddle__Framework__Proto__VarType, kind: VarKind)
        -> (Paddle__Framework__Proto__VarType__TensorDesc, Int32)?
    {
        switch kind {
        case .lodTensor: t.lod_tensor?.pointee.tensor.map { ($0.pointee, t.lod_tensor!.pointee.lod_level) }
        case .selectedRows: t.selected_rows.map { ($0.pointee, 0) }
        case .lodTensorArray: t.tensor_array?.pointee.tensor.map { ($0.pointee, t.tensor_array!.pointee.lod_level) }
        default: nil
        }
    }

    func op(_ d: Paddle__Framework__Proto__OpDesc, index: Int, block: Int) throws -> OpDesc {
        let type = cString(d.type)
        guard !type.isEmpty else { throw failure("op \(index) of block \(block) has no type") }
        var op = OpDesc(type: type)
        for slot in buffer(d.n_inputs, d.inputs).compactMap({ $0?.pointee }) {
            op.setInput(cString(slot.parameter), cStrings(slot.n_arguments, slot.arguments))
        }
        for slot in buffer(d.n_outputs, d.outputs).compactMap({ $0?.pointee }) {
            op.setOutput(cString(slot.parameter), cStrings(slot.n_arguments, slot.arguments))
        }
        for a in buffer(d.n_attrs, d.attrs).compactMap({ $0?.pointee }) {
            let name = cString(a.name)
            op.attributes[name] = try attribute(a, op: "op \(index) ('\(type)') of block \(block)", name: name)
        }
        op.isTarget = d.is_target != 0
        op.retained.unknown = unknownFields(d.base)
        return op
    }

    func attribute(_ a: Paddle__Framework__Proto__OpDesc__Attr, op: String, name: String) throws -> Attribute {
        switch Int(a.type.rawValue) {
        case 0: return .int(a.i)
        case 1: return .float(a.f)
        case 2: return .string(cString(a.s))
        case 3: return .ints(buffer(a.n_ints, a.ints))
        case 4: return .floats(buffer(a.n_floats, a.floats))
        case 5: return .strings(cStrings(a.n_strings, a.strings))
        case 6: return .bool(a.b != 0)
        case 7: return .bools(buffer(a.n_bools, a.bools).map { $0 != 0 })
        case 8: return .block(a.block_idx)
        case 9: return .long(a.l)
        case 10: return .blocks(buffer(a.n_blocks_idx, a.blocks_idx))
        case 11: return .longs(buffer(a.n_longs, a.longs))
        case 12: return .float64s(buffer(a.n_float64s, a.float64s))
        case 13: return .variable(cString(a.var_name))
        case 14: return .variables(cStrings(a.n_vars_name, a.vars_name))
        case 15: return .float64(a.float64)
        case 16:
            guard let s = a.scalar else { throw failure("\(op): SCALAR attribute '\(name)' has no value") }
            return .scalar(try scalar(s.pointee, op: op, name: name))
        case 17:
            return .scalars(
                try buffer(a.n_scalars, a.scalars).compactMap { $0 }.map { try scalar($0.pointee, op: op, name: name) })
        default:
            throw failure("\(op): attribute '\(name)' has type code \(a.type.rawValue), which is not an AttrType")
        }
    }

    func scalar(_ s: Paddle__Framework__Proto__Scalar, op: String, name: String) throws -> ScalarValue {
        switch s.type.rawValue {
        case 1: return .bool(s.b != 0)
        case 2: return .long(s.i)
        case 3: return .float64(s.r)
        case 4: return .complex128(real: s.c?.pointee.r ?? 0, imaginary: s.c?.pointee.i ?? 0)
        default: throw failure("\(op): scalar attribute '\(name)' has type code \(s.type.rawValue)")
        }
    }

    func unknownFields(_ base: ProtobufCMessage) -> [RetainedFields.UnknownField] {
        buffer(Int(base.n_unknown_fields), base.unknown_fields).map { f in
            RetainedFields.UnknownField(tag: f.tag, wireType: f.wire_type.rawValue, bytes: buffer(f.len, f.data))
        }
    }
}

/// The serialized bytes of a generated message (every one begins with its `ProtobufCMessage`).
func packed<Message>(_ message: UnsafeMutablePointer<Message>) -> [UInt8] {
    let base = UnsafeMutableRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self)
    let size = protobuf_c_message_get_packed_size(base)
    var out = [UInt8](repeating: 0, count: size)
    out.withUnsafeMutableBufferPointer { _ = protobuf_c_message_pack(base, $0.baseAddress) }
    return out
}

/// The elements of a C array of `count` elements (empty when null).
func buffer<T>(_ count: Int, _ pointer: UnsafeMutablePointer<T>?) -> [T] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

func cString(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }

func cStrings(_ count: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    buffer(count, p).map(cString)
}
