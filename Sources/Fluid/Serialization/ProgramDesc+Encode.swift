import CFrameworkProto
import CProtobufC
import Foundation

extension ProgramDesc {
    /// Serializes `program`. Attributes are written sorted by name; every optional field is
    /// written explicitly; retained fields of a program read from a file are written back.
    public static func encode(_ program: Program) -> Data {
        let arena = ProtoArena()
        let desc: UnsafeMutablePointer<Paddle__Framework__Proto__ProgramDesc> = arena.message(
            paddle__framework__proto__program_desc__init)
        let blocks = program.blocks.map { Optional(block($0, arena)) }
        desc.pointee.n_blocks = blocks.count
        desc.pointee.blocks = arena.array(blocks)
        if let v = program.compatibleVersion {
            let version: UnsafeMutablePointer<Paddle__Framework__Proto__Version> = arena.message(
                paddle__framework__proto__version__init)
            version.pointee.has_version = 1
            version.pointee.version = v
            desc.pointee.version = version
        }
        if !program.opVersions.isEmpty {
            let map: UnsafeMutablePointer<Paddle__Framework__Proto__OpVersionMap> = arena.message(
                paddle__framework__proto__op_version_map__init)
            let pairs = program.opVersions.map {
                entry -> UnsafeMutablePointer<Paddle__Framework__Proto__OpVersionMap__OpVersionPair>? in
                let pair: UnsafeMutablePointer<Paddle__Framework__Proto__OpVersionMap__OpVersionPair> =
                    arena.message(paddle__framework__proto__op_version_map__op_version_pair__init)
                let version: UnsafeMutablePointer<Paddle__Framework__Proto__OpVersion> = arena.message(
                    paddle__framework__proto__op_version__init)
                version.pointee.version = entry.version
                pair.pointee.op_name = arena.string(entry.op)
                pair.pointee.op_version = version
                return pair
            }
            map.pointee.n_pair = pairs.count
            map.pointee.pair = arena.array(pairs)
            desc.pointee.op_version_map = map
        }
        arena.attach(program.retained.unknown, to: &desc.pointee.base)
        return Data(packed(desc))
    }

    private static func block(_ b: Block, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Paddle__Framework__Proto__BlockDesc
    > {
        let d: UnsafeMutablePointer<Paddle__Framework__Proto__BlockDesc> = arena.message(
            paddle__framework__proto__block_desc__init)
        d.pointee.idx = Int32(b.index)
        d.pointee.parent_idx = Int32(b.parentIndex)
        d.pointee.has_forward_block_idx = 1
        d.pointee.forward_block_idx = Int32(b.forwardBlockIndex)
        let vars = b.vars.map { Optional(variable($0, arena)) }
        d.pointee.n_vars = vars.count
        d.pointee.vars = arena.array(vars)
        let ops = b.ops.map { Optional(op($0, arena)) }
        d.pointee.n_ops = ops.count
        d.pointee.ops = arena.array(ops)
        arena.attach(b.retained.unknown, to: &d.pointee.base)
        return d
    }

    private static func variable(_ v: VarDesc, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Paddle__Framework__Proto__VarDesc
    > {
        let d: UnsafeMutablePointer<Paddle__Framework__Proto__VarDesc> = arena.message(
            paddle__framework__proto__var_desc__init)
        d.pointee.name = arena.string(v.name)
        d.pointee.type = VarTypeWriter.message(v, arena)
        d.pointee.has_persistable = 1
        d.pointee.persistable = v.persistable ? 1 : 0
        if v.needCheckFeed {
            d.pointee.has_need_check_feed = 1
            d.pointee.need_check_feed = 1
        }
        if v.isParameter {
            d.pointee.has_is_parameter = 1
            d.pointee.is_parameter = 1
        }
        if v.stopGradient {
            d.pointee.has_stop_gradient = 1
            d.pointee.stop_gradient = 1
        }
        let attrs = v.retained.varAttributes.map {
            arena.unpack($0, fluid_var_desc_attr_descriptor(), as: Paddle__Framework__Proto__VarDesc__Attr.self)
        }
        d.pointee.n_attrs = attrs.count
        d.pointee.attrs = arena.array(attrs)
        arena.attach(v.retained.unknown, to: &d.pointee.base)
        return d
    }

    private static func op(_ o: OpDesc, _ arena: ProtoArena) -> UnsafeMutablePointer<Paddle__Framework__Proto__OpDesc> {
        let d: UnsafeMutablePointer<Paddle__Framework__Proto__OpDesc> = arena.message(
            paddle__framework__proto__op_desc__init)
        d.pointee.type = arena.string(o.type)
        func slots(_ entries: [(slot: String, names: [String])]) -> [UnsafeMutablePointer<
            Paddle__Framework__Proto__OpDesc__Var
        >?] {
            entries.map { entry in
                let s: UnsafeMutablePointer<Paddle__Framework__Proto__OpDesc__Var> = arena.message(
                    paddle__framework__proto__op_desc__var__init)
                s.pointee.parameter = arena.string(entry.slot)
                s.pointee.n_arguments = entry.names.count
                s.pointee.arguments = arena.strings(entry.names)
                return s
            }
        }
        let inputs = slots(o.inputs)
        let outputs = slots(o.outputs)
        d.pointee.n_inputs = inputs.count
        d.pointee.inputs = arena.array(inputs)
        d.pointee.n_outputs = outputs.count
        d.pointee.outputs = arena.array(outputs)
        let attrs = o.attributes.keys.sorted().map { Optional(AttributeWriter.message($0, o.attributes[$0]!, arena)) }
        d.pointee.n_attrs = attrs.count
        d.pointee.attrs = arena.array(attrs)
        if o.isTarget {
            d.pointee.has_is_target = 1
            d.pointee.is_target = 1
        }
        arena.attach(o.retained.unknown, to: &d.pointee.base)
        return d
    }
}

/// A variable's `VarType` message: the retained bytes while the variable still matches them,
/// else built from its kind, dtype, shape and LoD level.
enum VarTypeWriter {
    static func message(_ v: VarDesc, _ arena: ProtoArena) -> UnsafeMutablePointer<Paddle__Framework__Proto__VarType> {
        if let r = v.retained.varType, r.kind == v.kind, r.dtype == v.dtype, r.shape == v.shape,
            r.lodLevel == v.lodLevel,
            let kept = arena.unpack(r.bytes, fluid_var_type_descriptor(), as: Paddle__Framework__Proto__VarType.self)
        {
            return kept
        }
        let t: UnsafeMutablePointer<Paddle__Framework__Proto__VarType> = arena.message(
            paddle__framework__proto__var_type__init)
        t.pointee.type = .init(rawValue: numericCast(v.kind.rawValue))
        func tensor() -> UnsafeMutablePointer<Paddle__Framework__Proto__VarType__TensorDesc> {
            TensorDescWire.message(dtype: v.dtype, dims: v.shape, arena)
        }
        switch v.kind {
        case .lodTensor:
            let l: UnsafeMutablePointer<Paddle__Framework__Proto__VarType__LoDTensorDesc> =
                arena.message(paddle__framework__proto__var_type__lo_dtensor_desc__init)
            l.pointee.tensor = tensor()
            l.pointee.has_lod_level = 1
            l.pointee.lod_level = Int32(clamping: v.lodLevel)
            t.pointee.lod_tensor = l
        case .selectedRows:
            t.pointee.selected_rows = tensor()
        case .lodTensorArray:
            let l: UnsafeMutablePointer<Paddle__Framework__Proto__VarType__LoDTensorArrayDesc> =
                arena.message(paddle__framework__proto__var_type__lo_dtensor_array_desc__init)
            l.pointee.tensor = tensor()
            l.pointee.has_lod_level = 1
            l.pointee.lod_level = Int32(clamping: v.lodLevel)
            t.pointee.tensor_array = l
        default:
            break
        }
        return t
    }

    /// The bytes `message` writes for `v`.
    static func bytes(of v: VarDesc) -> [UInt8] {
        let arena = ProtoArena()
        return packed(message(v, arena))
    }
}

/// One `OpDesc.Attr` message per `Attribute` case.
enum AttributeWriter {
    static func message(_ name: String, _ value: Attribute, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Paddle__Framework__Proto__OpDesc__Attr
    > {
        let a: UnsafeMutablePointer<Paddle__Framework__Proto__OpDesc__Attr> = arena.message(
            paddle__framework__proto__op_desc__attr__init)
        a.pointee.name = arena.string(name)
        func kind(_ code: UInt32) { a.pointee.type = .init(rawValue: numericCast(code)) }
        switch value {
        case .int(let v):
            kind(0)
            a.pointee.has_i = 1
            a.pointee.i = v
        case .float(let v):
            kind(1)
            a.pointee.has_f = 1
            a.pointee.f = v
        case .string(let v):
            kind(2)
            a.pointee.s = arena.string(v)
        case .ints(let v):
            kind(3)
            a.pointee.n_ints = v.count
            a.pointee.ints = arena.array(v)
        case .floats(let v):
            kind(4)
            a.pointee.n_floats = v.count
            a.pointee.floats = arena.array(v)
        case .strings(let v):
            kind(5)
            a.pointee.n_strings = v.count
            a.pointee.strings = arena.strings(v)
        case .bool(let v):
            kind(6)
            a.pointee.has_b = 1
            a.pointee.b = v ? 1 : 0
        case .bools(let v):
            kind(7)
            a.pointee.n_bools = v.count
            a.pointee.bools = arena.array(v.map { $0 ? 1 : 0 })
        case .block(let v):
            kind(8)
            a.pointee.has_block_idx = 1
            a.pointee.block_idx = v
        case .long(let v):
            kind(9)
            a.pointee.has_l = 1
            a.pointee.l = v
        case .blocks(let v):
            kind(10)
            a.pointee.n_blocks_idx = v.count
            a.pointee.blocks_idx = arena.array(v)
        case .longs(let v):
            kind(11)
            a.pointee.n_longs = v.count
            a.pointee.longs = arena.array(v)
        case .float64s(let v):
            kind(12)
            a.pointee.n_float64s = v.count
            a.pointee.float64s = arena.array(v)
        case .variable(let v):
            kind(13)
            a.pointee.var_name = arena.string(v)
        case .variables(let v):
            kind(14)
            a.pointee.n_vars_name = v.count
            a.pointee.vars_name = arena.strings(v)
        case .float64(let v):
            kind(15)
            a.pointee.has_float64 = 1
            a.pointee.float64 = v
        case .scalar(let v):
            kind(16)
            a.pointee.scalar = scalar(v, arena)
        case .scalars(let v):
            kind(17)
            a.pointee.n_scalars = v.count
            a.pointee.scalars = arena.array(v.map { Optional(scalar($0, arena)) })
        }
        return a
    }

    private static func scalar(_ v: ScalarValue, _ arena: ProtoArena) -> UnsafeMutablePointer<
        Paddle__Framework__Proto__Scalar
    > {
        let s: UnsafeMutablePointer<Paddle__Framework__Proto__Scalar> = arena.message(
            paddle__framework__proto__scalar__init)
        switch v {
        case .bool(let b):
            s.pointee.type = .init(rawValue: 1)
            s.pointee.has_b = 1
            s.pointee.b = b ? 1 : 0
        case .long(let i):
            s.pointee.type = .init(rawValue: 2)
            s.pointee.has_i = 1
            s.pointee.i = i
        case .float64(let r):
            s.pointee.type = .init(rawValue: 3)
            s.pointee.has_r = 1
            s.pointee.r = r
        case .complex128(let r, let i):
            s.pointee.type = .init(rawValue: 4)
            let c: UnsafeMutablePointer<Paddle__Framework__Proto__Complex> = arena.message(
                paddle__framework__proto__complex__init)
            c.pointee.r = r
            c.pointee.i = i
            s.pointee.c = c
        }
        return s
    }
}
