import Foundation
import Testing

@testable import Fluid

/// Every kind of damaged model file is refused with an error naming the file (and the
/// variable, where there is one), before anything is allocated for what it claims.
@Suite struct CorruptModelTests {
    /// A copy of the Paddle softmax model in both layouts in a fresh directory.
    static func copyOfSoftmax() throws -> String {
        let dir = try Fixtures.temporaryDirectory()
        for name in ["softmax.pdmodel", "softmax.pdiparams"] {
            try FileManager.default.copyItem(atPath: Fixtures.path("export/softmax/\(name)"), toPath: dir + "/" + name)
        }
        try FileManager.default.copyItem(atPath: Fixtures.path("export/softmax/fluid1x"), toPath: dir + "/fluid1x")
        return dir
    }

    func expectFailure(_ path: String, mentioning words: [String], _ comment: Comment? = nil) {
        do {
            _ = try loadInferenceModel(from: path)
            Issue.record("loading \(path) should fail: \(comment?.description ?? "")")
        } catch {
            let message = "\(error)"
            for w in words { #expect(message.contains(w), "'\(message)' should mention '\(w)'") }
        }
    }

    func rewrite(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func truncatedParamsFile() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(dir + "/softmax.pdiparams") { $0.removeLast(100) }
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdiparams", "truncated"])
        try rewrite(dir + "/softmax.pdiparams") { $0.removeLast($0.count - 30) }
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdiparams"])
    }

    @Test func paramsWithBytesLeftOverOrATensorMissing() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/softmax.pdiparams"))
        try (original + Data([1, 2, 3])).write(to: URL(fileURLWithPath: dir + "/softmax.pdiparams"))
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdiparams", "3 bytes left over"])
        // Only the first tensor (fc_0.b_0, 10 floats: 4+8+4+4+desc+40 bytes).
        var first = Data()
        try TensorStream.write(Tensor(shape: [10], scalars: [Float](repeating: 0, count: 10)), to: &first)
        try first.write(to: URL(fileURLWithPath: dir + "/softmax.pdiparams"))
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdiparams", "fc_0.w_0", "missing"])
    }

    @Test func tensorWhoseShapeDisagreesWithTheProgram() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var data = Data()
        try TensorStream.write(Tensor(shape: [11], scalars: [Float](repeating: 0, count: 11)), to: &data)
        try data.write(to: URL(fileURLWithPath: dir + "/fluid1x/fc_0.b_0"))
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.b_0", "[11]", "[10]"])
        data = Data()
        try TensorStream.write(Tensor(shape: [10], scalars: [Int64](repeating: 0, count: 10)), to: &data)
        try data.write(to: URL(fileURLWithPath: dir + "/fluid1x/fc_0.b_0"))
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.b_0", "int64"])
    }

    @Test func missingParameterFileAndWrongVersion() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(dir + "/fluid1x/fc_0.w_0") { $0[0] = 1 }
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.w_0", "version"])
        try FileManager.default.removeItem(atPath: dir + "/fluid1x/fc_0.w_0")
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.w_0", "missing"])
    }

    @Test func absurdDimensionsAreRefusedBeforeAllocating() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A stream whose TensorDesc claims [2^40] floats, with 4 bytes of data.
        var header = Data()
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        put(UInt32(0))
        put(UInt64(0))
        put(UInt32(0))
        let desc = TensorDescWire.encode(dtype: .float32, dims: [1 << 40])
        put(Int32(desc.count))
        header.append(desc)
        header.append(Data(count: 4))
        try header.write(to: URL(fileURLWithPath: dir + "/fluid1x/fc_0.b_0"))
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.b_0", "truncated"])
        // Negative dims.
        header = Data()
        put(UInt32(0))
        put(UInt64(0))
        put(UInt32(0))
        let negative = TensorDescWire.encode(dtype: .float32, dims: [-3])
        put(Int32(negative.count))
        header.append(negative)
        try header.write(to: URL(fileURLWithPath: dir + "/fluid1x/fc_0.b_0"))
        expectFailure(dir + "/fluid1x", mentioning: ["fc_0.b_0", "[-3]"])
    }

    @Test func programThatDoesNotParseOrUsesAnUnknownOp() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rewrite(dir + "/fluid1x/__model__") { $0.removeLast($0.count / 3) }
        expectFailure(dir + "/fluid1x", mentioning: ["__model__", "does not parse"])

        let program = try ProgramDesc.decode(try Fixtures.data("export/softmax/softmax.pdmodel"), source: "softmax")
        program.globalBlock.ops[2].type = "fancy_attention"
        try ProgramDesc.encode(program).write(to: URL(fileURLWithPath: dir + "/softmax.pdmodel"))
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdmodel", "fancy_attention"])
    }

    @Test func feedOrFetchOfAnUndeclaredVariable() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let program = try ProgramDesc.decode(try Fixtures.data("export/softmax/softmax.pdmodel"), source: "softmax")
        let last = program.globalBlock.ops.count - 1
        program.globalBlock.ops[last].setInput("X", ["no_such_output"])
        try ProgramDesc.encode(program).write(to: URL(fileURLWithPath: dir + "/softmax.pdmodel"))
        expectFailure(dir + "/softmax.pdmodel", mentioning: ["softmax.pdmodel", "no_such_output"])
    }

    @Test func parameterNamesCannotLeaveTheModelDirectory() throws {
        let dir = try Self.copyOfSoftmax()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let program = try ProgramDesc.decode(try Fixtures.data("export/softmax/fluid1x/__model__"), source: "m")
        program.globalBlock.addVar(VarDesc(name: "../../etc/passwd", shape: [1], persistable: true))
        try ProgramDesc.encode(program).write(to: URL(fileURLWithPath: dir + "/fluid1x/__model__"))
        expectFailure(dir + "/fluid1x", mentioning: ["../../etc/passwd"])
    }

    /// Thousands of mutated copies (bit flips, truncations, spliced bytes) of real Paddle files
    /// must each load or fail with a FluidError: never crash. The seed is fixed (deterministic
    /// runs) and printed; SWIFTFLUID_FUZZ_SEED sets another.
    @Test func mutatedFilesNeverCrash() throws {
        let seed = ProcessInfo.processInfo.environment["SWIFTFLUID_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_201
        print("CorruptModelTests.mutatedFilesNeverCrash seed \(seed)")
        var rng = SeededGenerator(bits: seed)
        let models = [
            "export/cnn/cnn.pdmodel", "export/mlp/fluid1x/__model__", "export/softmax/full_attrs/softmax.pdmodel",
        ]
        let program = try ProgramDesc.decode(try Fixtures.data("export/cnn/cnn.pdmodel"), source: "cnn")
        let variables = PersistableFiles.variables(of: program)
        let params = [UInt8](try Fixtures.data("export/cnn/cnn.pdiparams"))
        var parsedPrograms = 0
        var parsedParams = 0
        for round in 0..<3000 {
            let isParams = round % 3 == 2
            let original = isParams ? params : [UInt8](try Fixtures.data(models[round % 3]))
            let mutated = Self.mutate(original, &rng)
            do {
                if isParams {
                    _ = try PersistableFiles.readCombined(variables, from: Data(mutated), path: "mutated.pdiparams")
                    parsedParams += 1
                } else {
                    let p = try ProgramDesc.decode(Data(mutated), source: "mutated")
                    _ = try InferenceModelCheck.feedsAndFetches(p, file: "mutated")
                    try InferenceModelCheck.opsSupported(p, file: "mutated")
                    _ = ProgramDesc.encode(p)
                    parsedPrograms += 1
                }
            } catch is FluidError {
            } catch {
                Issue.record("round \(round) (seed \(seed)): \(error) is not a FluidError")
            }
        }
        // Some mutations (a flipped float bit) leave a valid file: the loop reached the parsers' depths.
        #expect(parsedPrograms > 0 && parsedParams > 0)
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = bytes
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            }
        case 1:
            b.removeLast(Int.random(in: 1..<b.count, using: &rng))
        case 2:
            let from = Int.random(in: 0..<b.count, using: &rng)
            let to = Int.random(in: 0..<b.count, using: &rng)
            let n = min(Int.random(in: 1...64, using: &rng), b.count - from)
            b.insert(contentsOf: b[from..<from + n], at: to)
        default:
            b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
        return b
    }
}
