import Foundation
import Testing

@testable import Fluid

/// Tensor streams and model files are held to FluidLimits before anything is allocated for
/// what they claim; the error names the file and the limit to raise.
@Suite struct LoaderLimitTests {
    /// A tensor stream header (no LoD) for `dtype` `dims`, followed by `trailing` bytes of data.
    static func stream(_ dtype: DataType, _ dims: [Int], trailing: Int = 8) -> [UInt8] {
        let desc = [UInt8](TensorDescWire.encode(dtype: dtype, dims: dims))
        return [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 0]
            + withUnsafeBytes(of: Int32(desc.count).littleEndian, Array.init) + desc
            + [UInt8](repeating: 0, count: trailing)
    }

    func expectRefused(_ path: String, naming words: [String], _ load: (String) throws -> Void) {
        #expect {
            try load(path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && words.allSatisfy { text.contains($0) }
        }
    }

    /// A 40-byte file claiming 2^30 + 1 bytes, or 2^29 + 1 floats (2 GiB + 4 bytes): refused as
    /// truncated and naming the limit, so the user knows raising it would not be enough.
    @Test func tensorHeaderAboveTheLimitsIsRefusedNamingTheLimit() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases: [([UInt8], String)] = [
            (Self.stream(.uint8, [1 << 15, (1 << 15) + 2]), "FluidLimits.maxTensorElements (1073741824)"),
            (Self.stream(.float32, [(1 << 29) + 1]), "FluidLimits.maxTensorBytes (2 GiB)"),
            (Self.stream(.int64, [1 << 62, 4]), "overflow"),
            (Self.stream(.float32, [0, 3], trailing: 0), "<no error>"),
        ]
        for (i, (bytes, words)) in cases.enumerated() {
            let path = directory + "/tensor-\(i)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if words == "<no error>" {
                #expect(try TensorStream.readAll(contentsOf: path).map(\.shape) == [[0, 3]], "an empty tensor reads")
            } else {
                let also = words == "overflow" ? [] : ["truncated"]
                expectRefused(path, naming: [words] + also) { _ = try TensorStream.readAll(contentsOf: $0) }
            }
        }
    }

    /// Sparse files, so the test writes nothing: the size is refused before a byte is read.
    @Test func oversizedModelAndParameterFilesAreRefusedBeforeReading() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func sparse(_ path: String, size: Int) throws {
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
        }
        try sparse(directory + "/__model__", size: FluidLimits.maxModelBytes + (1 << 20))
        expectRefused(directory, naming: ["__model__", "FluidLimits.maxModelBytes (256 MiB)"]) {
            _ = try loadInferenceModel(from: $0)
        }
        let params = directory + "/huge.pdiparams"
        try sparse(params, size: FluidLimits.maxParameterFileBytes + (1 << 20))
        expectRefused(params, naming: ["FluidLimits.maxParameterFileBytes"]) {
            _ = try TensorStream.readAll(contentsOf: $0)
        }
    }

    @Test func programDescDataAboveTheLimitIsRefusedBeforeUnpacking() {
        let data = Data(count: FluidLimits.maxModelBytes + 1)
        #expect {
            _ = try ProgramDesc.decode(data, source: "big.pdmodel")
        } throws: { error in
            "\(error)".contains("big.pdmodel") && "\(error)".contains("FluidLimits.maxModelBytes")
        }
    }
}
