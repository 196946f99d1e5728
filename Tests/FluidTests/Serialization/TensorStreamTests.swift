import Foundation
import Testing

@testable import Fluid

@Suite struct TensorStreamTests {
    /// float32 [2] = [1, 2], written out by hand from the format: version 0, no LoD,
    /// tensor_version 0, desc_size 4, TensorDesc {data_type: FP32 (5), dims: 2}, elements.
    let handWritten: [UInt8] =
        [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0] + [4, 0, 0, 0]
        + [0x08, 0x05, 0x10, 0x02] + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40]

    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsAndWritesTheFormatByteForByte() throws {
        let path = try temporaryFile(handWritten + handWritten)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensors = try TensorStream.readAll(contentsOf: path)
        #expect(tensors.count == 2)
        #expect(try tensors[0].shape == [2] && tensors[0].scalars(as: Float.self) == [1, 2])
        var data = Data()
        try TensorStream.write(Tensor(shape: [2], scalars: [1, 2] as [Float]), to: &data)
        #expect([UInt8](data) == handWritten)
    }

    @Test func lodAndIntegersRoundTrip() throws {
        let t = try Tensor(shape: [3, 1], scalars: [7, -8, 9] as [Int64])
        try t.setLoD([[0, 1, 3]])
        var data = Data()
        TensorStream.write(t, to: &data)
        let path = try temporaryFile([UInt8](data))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let back = try #require(try TensorStream.readAll(contentsOf: path).first)
        #expect(
            try back.dtype == .int64 && back.shape == [3, 1] && back.scalars(as: Int64.self) == [7, -8, 9]
                && back.lod == [[0, 1, 3]])
    }

    @Test func truncatedAndCorruptFilesAreErrorsNamingTheFile() throws {
        let truncated = try temporaryFile(Array(handWritten.dropLast(3)))
        let huge = try temporaryFile(
            Array(handWritten[0..<16]) + [13, 0, 0, 0] + [0x08, 0x05, 0x10]
                + [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40] + [0x10, 0x40] + [0, 0, 0, 0])
        defer { for p in [truncated, huge] { try? FileManager.default.removeItem(atPath: p) } }
        for path in [truncated, huge] {
            do {
                _ = try TensorStream.readAll(contentsOf: path)
                Issue.record("\(path) must not read")
            } catch {
                #expect("\(error)".contains(path), "\(error)")
            }
        }
    }
}
