import Foundation
import Testing

@testable import Fluid

/// Tensor streams whose LoD or data_type used to be accepted.
@Suite struct TensorStreamValidationTests {
    private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// float32 [2] = [1, 2] with the given LoD levels and TensorDesc bytes.
    private func stream(lod: [[UInt64]], desc: [UInt8]) -> [UInt8] {
        var b = le(UInt32(0)) + le(UInt64(lod.count))
        for level in lod { b += le(UInt64(level.count * 8)) + level.flatMap { le($0) } }
        return b + le(UInt32(0)) + le(Int32(desc.count)) + desc + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]
    }

    private func read(_ bytes: [UInt8]) throws -> Tensor {
        var reader = ByteReader(data: Data(bytes), path: "w.stream")
        return try TensorStream.read(&reader)
    }

    private func fileError(containing text: String) -> (any Error) -> Bool {
        { error in
            guard case .file(let path, let message)? = error as? FluidError else { return false }
            return path == "w.stream" && message.contains(text)
        }
    }

    let fp32Dims2: [UInt8] = [0x08, 0x05, 0x10, 0x02]

    @Test func validLoDIsKept() throws {
        #expect(try read(stream(lod: [[0, 1, 2]], desc: fp32Dims2)).lod == [[0, 1, 2]])
    }

    @Test(arguments: [[[UInt64(0), 2, 1]], [[1, 2]], [[0, 1, 5]], [[0, 2], [0, 1, 3]]])
    func invalidLoDIsRefused(lod: [[UInt64]]) {
        #expect(performing: { try read(stream(lod: lod, desc: fp32Dims2)) }, throws: fileError(containing: "LoD"))
    }

    /// data_type = 2^40 | 5: protobuf-c keeps the low 32 bits (5, FP32) unless checked.
    @Test func dataTypeWiderThan32BitsIsRefused() {
        var varint: [UInt8] = []
        var v = (UInt64(1) << 40) | 5
        while v >= 0x80 {
            varint.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        varint.append(UInt8(v))
        let desc = [0x08] + varint + [0x10, 0x02]
        #expect(
            performing: { try read(stream(lod: [], desc: desc)) },
            throws: fileError(containing: "data_type is 1099511627781"))
    }
}
