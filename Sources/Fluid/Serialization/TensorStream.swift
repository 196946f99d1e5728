import Foundation

/// Paddle's tensor stream: how one tensor is written in a parameter file, or back to back with
/// others in a combined file (`save_combine`, `.pdiparams`). Little-endian:
/// `uint32 version (0)`, `uint64 lod_level`, per level `uint64 byte_size` and that many bytes of
/// uint64 offsets, `uint32 tensor_version (0)`, `int32 desc_size`, a serialized TensorDesc
/// (data_type = 1, dims = 2), then the raw elements.
public enum TensorStream {
    /// Reads the tensors of a file written back to back, in order.
    public static func readAll(contentsOf path: String) throws -> [Tensor] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FluidError.file(path: path, message: "cannot be read (\(error.localizedDescription))")
        }
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
                throw r.failure("LoD byte size \(raw) at byte \(r.offset - 8) is not a multiple of 8 or exceeds the \(r.remaining) bytes left")
            }
            lod.append(try (0..<Int(raw) / 8).map { _ in
                let offset = try r.uint64("LoD offset")
                guard let o = Int(exactly: offset) else { throw r.failure("LoD offset \(offset) is out of range") }
                return o
            })
        }
        guard try r.uint32("tensor_version") == 0 else { throw r.failure("unsupported tensor_version at byte \(start)") }
        let descSize = Int(try r.int32("desc_size"))
        guard descSize >= 0 else { throw r.failure("negative TensorDesc size \(descSize)") }
        let (dtype, dims) = try TensorDescCodec.decode(try r.bytes(descSize, "TensorDesc"), path: r.path)
        guard dims.allSatisfy({ $0 >= 0 }) else { throw r.failure("tensor dims \(dims) are not concrete") }
        // Check the size against the bytes left before allocating anything a corrupt header claims.
        var byteCount = dtype.size
        for d in dims {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
            guard !overflow else { throw r.failure("tensor dims \(dims) overflow") }
            byteCount = product
        }
        guard byteCount <= r.remaining else {
            throw r.failure("truncated: tensor data of \(dtype)\(dims) needs \(byteCount) bytes at byte \(r.offset), found \(r.remaining)")
        }
        let tensor = Tensor(dtype: dtype, shape: dims)
        let raw = try r.bytes(tensor.byteCount, "tensor data of \(dtype)\(dims)")
        raw.withUnsafeBytes { tensor.rawPointer.copyMemory(from: $0.baseAddress!, byteCount: raw.count) }
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
        let desc = TensorDescCodec.encode(dtype: tensor.dtype, dims: tensor.shape)
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

/// The two fields of `VarType.TensorDesc` (data_type = 1 varint enum, dims = 2 repeated int64),
/// read and written directly: the record is too small to need a protobuf runtime.
enum TensorDescCodec {
    static func encode(dtype: DataType, dims: [Int]) -> Data {
        var d = Data()
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { d.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            d.append(UInt8(v))
        }
        varint(1 << 3)
        varint(UInt64(dtype.rawValue))
        for dim in dims {
            varint(2 << 3)
            varint(UInt64(bitPattern: Int64(dim)))
        }
        return d
    }

    static func decode(_ d: Data, path: String) throws -> (DataType, [Int]) {
        let bytes = [UInt8](d)
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw FluidError.file(path: path, message: "malformed TensorDesc varint") }
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        var code: Int32?
        var dims: [Int] = []
        while i < bytes.count {
            let key = try varint()
            switch (key >> 3, key & 7) {
            case (1, 0): code = Int32(truncatingIfNeeded: try varint())
            case (2, 0): dims.append(Int(Int64(bitPattern: try varint())))
            case (2, 2):
                let end = i + Int(try varint())
                guard end <= bytes.count else { throw FluidError.file(path: path, message: "truncated TensorDesc dims") }
                while i < end { dims.append(Int(Int64(bitPattern: try varint()))) }
            case (_, 0): _ = try varint()
            default: throw FluidError.file(path: path, message: "unexpected TensorDesc field \(key >> 3) of wire type \(key & 7)")
            }
        }
        guard let code else { throw FluidError.file(path: path, message: "TensorDesc has no data_type") }
        guard let dtype = DataType(rawValue: code) else {
            throw FluidError.file(path: path, message: "TensorDesc data_type \(code) is not supported")
        }
        return (dtype, dims)
    }
}
