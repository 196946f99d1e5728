import CFrameworkProto
import CProtobufC
import Foundation

/// Paddle's tensor stream: how one tensor is written in a parameter file, or back to back with
/// others in a combined file (`save_combine`, `.pdiparams`). Little-endian:
/// `uint32 version (0)`, `uint64 lod_level`, per level `uint64 byte_size` and that many bytes of
/// uint64 offsets, `uint32 tensor_version (0)`, `int32 desc_size`, a serialized TensorDesc
/// (data_type = 1, dims = 2), then the raw elements.
public enum TensorStream {
    /// Reads the tensors of a file written back to back, in order. A file larger than
    /// `FluidLimits.maxParameterFileBytes`, or a tensor above `FluidLimits.maxTensorElements` or
    /// `FluidLimits.maxTensorBytes`, is refused before it is read or allocated.
    public static func readAll(contentsOf path: String) throws -> [Tensor] {
        let data = try readFile(path, limit: .maxParameterFileBytes)
        var reader = ByteReader(data: data, path: path)
        var tensors: [Tensor] = []
        while !reader.atEnd { tensors.append(try read(&reader)) }
        return tensors
    }

    /// Reads one tensor at the reader's position.
    static func read(_ r: inout ByteReader) throws -> Tensor {
        let start = r.offset
        guard try r.uint32("version") == 0 else { throw r.failure("unsupported tensor version at byte \(start)") }
        let lodLevels = try r.uint64("lod_level")
        guard lodLevels < 16 else { throw r.failure("implausible LoD level count \(lodLevels) at byte \(start)") }
        var lod: [[Int]] = []
        for _ in 0..<lodLevels {
            let raw = try r.uint64("LoD byte size")
            guard raw % 8 == 0, raw <= UInt64(r.remaining) else {
                throw r.failure(
                    "LoD byte size \(raw) at byte \(r.offset - 8) is not a multiple of 8 or exceeds the \(r.remaining) bytes left"
                )
            }
            lod.append(
                try (0..<Int(raw) / 8).map { _ in
                    let offset = try r.uint64("LoD offset")
                    guard let o = Int(exactly: offset) else { throw r.failure("LoD offset \(offset) is out of range") }
                    return o
                })
        }
        guard try r.uint32("tensor_version") == 0 else {
            throw r.failure("unsupported tensor_version at byte \(start)")
        }
        let descSize = Int(try r.int32("desc_size"))
        guard descSize >= 0 else { throw r.failure("negative TensorDesc size \(descSize)") }
        let (dtype, dims) = try TensorDescWire.decode(try r.bytes(descSize, "TensorDesc"), path: r.path)
        guard dims.allSatisfy({ $0 >= 0 }) else { throw r.failure("tensor dims \(dims) are not concrete") }
        // Check the size against the limits and the bytes left before allocating anything a
        // corrupt header claims.
        var elementCount = 1
        for d in dims {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: d)
            guard !overflow else { throw r.failure("tensor dims \(dims) at byte \(start) overflow") }
            elementCount = product
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.size)
        let maxElements = FluidLimits.maxTensorElements
        let maxBytes = FluidLimits.maxTensorBytes
        var aboveLimit: String?
        if elementCount > maxElements {
            aboveLimit =
                "\(elementCount) elements, more than \(FluidLimits.refusal(.maxTensorElements, value: maxElements))"
        } else if overflow || byteCount > maxBytes {
            aboveLimit =
                "\(overflow ? "more than Int.max" : "\(byteCount)") bytes, more than \(FluidLimits.refusal(.maxTensorBytes, value: maxBytes))"
        }
        // A claim the file cannot hold is truncation first of all; the limit is named too, since
        // raising it alone would not make such a file load.
        guard !overflow, byteCount <= r.remaining else {
            let needs = overflow ? "more than Int.max" : "\(byteCount)"
            throw r.failure(
                "truncated: tensor data of \(dtype)\(dims) needs \(needs) bytes at byte \(r.offset), found \(r.remaining)"
                    + (aboveLimit.map { "; the tensor at byte \(start) also claims \($0)" } ?? ""))
        }
        if let aboveLimit {
            throw r.failure("the tensor at byte \(start) claims \(dtype)\(dims), \(aboveLimit)")
        }
        // The byte count above bounds the element count by the file's size.
        let tensor = Tensor(uncheckedDType: dtype, shape: dims)
        let raw = try r.bytes(tensor.byteCount, "tensor data of \(dtype)\(dims)")
        // An empty tensor (a zero in dims) has no bytes and possibly no base address.
        raw.withUnsafeBytes {
            if let base = $0.baseAddress { tensor.rawPointer.copyMemory(from: base, byteCount: raw.count) }
        }
        if let problem = Tensor.lodProblem(lod, shape: dims) {
            throw r.failure("the LoD of the tensor at byte \(start) is invalid: \(problem)")
        }
        tensor.lod = lod
        return tensor
    }

    /// Appends `tensor` in the stream format.
    public static func write(_ tensor: Tensor, to data: inout Data) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        put(UInt32(0))
        put(UInt64(tensor.lod.count))
        for level in tensor.lod {
            put(UInt64(level.count * 8))
            for o in level { put(UInt64(o)) }
        }
        put(UInt32(0))
        let desc = TensorDescWire.encode(dtype: tensor.dtype, dims: tensor.shape)
        put(Int32(desc.count))
        data.append(desc)
        data.append(Data(bytes: tensor.rawPointer, count: tensor.byteCount))
    }
}

/// A bounds-checked little-endian reader whose errors name the file and what was expected.
struct ByteReader {
    let data: Data
    let path: String
    private(set) var offset = 0

    init(data: Data, path: String) {
        self.data = data
        self.path = path
    }

    var atEnd: Bool { offset >= data.count }
    var remaining: Int { data.count - offset }

    func failure(_ message: String) -> FluidError { .file(path: path, message: message) }

    mutating func bytes(_ n: Int, _ what: String) throws -> Data {
        guard n >= 0, data.count - offset >= n else {
            throw failure("truncated: \(what) needs \(n) bytes at byte \(offset), found \(data.count - offset)")
        }
        let start = data.startIndex + offset
        offset += n
        return data.subdata(in: start..<start + n)
    }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let d = try bytes(MemoryLayout<T>.size, what)
        return T(littleEndian: d.withUnsafeBytes { $0.loadUnaligned(as: T.self) })
    }

    mutating func uint32(_ what: String) throws -> UInt32 { try integer(UInt32.self, what) }
    mutating func uint64(_ what: String) throws -> UInt64 { try integer(UInt64.self, what) }
    mutating func int32(_ what: String) throws -> Int32 { try integer(Int32.self, what) }
}

/// `VarType.TensorDesc` (data_type, dims) through the generated protobuf code. Writers emit
/// `dims` unpacked, as Paddle does; the parser accepts packed and unpacked.
enum TensorDescWire {
    static func message(dtype: DataType, dims: [Int], _ arena: ProtoArena) -> UnsafeMutablePointer<
        Paddle__Framework__Proto__VarType__TensorDesc
    > {
        let t: UnsafeMutablePointer<Paddle__Framework__Proto__VarType__TensorDesc> =
            arena.message(paddle__framework__proto__var_type__tensor_desc__init)
        t.pointee.data_type = .init(rawValue: numericCast(dtype.rawValue))
        t.pointee.n_dims = dims.count
        t.pointee.dims = arena.array(dims.map { Int64($0) })
        return t
    }

    static func encode(dtype: DataType, dims: [Int]) -> Data {
        let arena = ProtoArena()
        return Data(packed(message(dtype: dtype, dims: dims, arena)))
    }

    static func decode(_ d: Data, path: String) throws -> (DataType, [Int]) {
        guard let m = unpackMessage([UInt8](d), fluid_tensor_desc_descriptor()) else {
            throw FluidError.file(
                path: path, message: "the TensorDesc of a tensor does not parse (corrupt or truncated)")
        }
        defer { protobuf_c_message_free_unpacked(m, nil) }
        if let (field, value) = ProtoEnumWidthCheck.firstOverflow(in: [UInt8](d), fluid_tensor_desc_descriptor()) {
            throw FluidError.file(
                path: path, message: "\(field) is \(value), which is not a data type (it does not fit 32 bits)")
        }
        let t = UnsafeMutableRawPointer(m).assumingMemoryBound(to: Paddle__Framework__Proto__VarType__TensorDesc.self)
        let code = Int32(bitPattern: t.pointee.data_type.rawValue)
        guard let dtype = DataType(rawValue: code) else {
            throw FluidError.file(path: path, message: "TensorDesc data_type \(code) is not supported")
        }
        return (dtype, buffer(t.pointee.n_dims, t.pointee.dims).map { Int($0) })
    }
}
