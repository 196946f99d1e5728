import CFrameworkProto
import CProtobufC
import Foundation
import Testing

@testable import Fluid

@Suite struct ProgramDescTests {
    /// The canonical dump of serialized ProgramDesc bytes, parsed by protobuf-c directly.
    static func dump(_ data: Data) throws -> [String] {
        let bytes = [UInt8](data)
        let desc = try #require(
            bytes.withUnsafeBufferPointer {
                paddle__framework__proto__program_desc__unpack(nil, $0.count, $0.baseAddress)
            })
        defer { paddle__framework__proto__program_desc__free_unpacked(desc, nil) }
        return desc.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { ProtoDump.dump($0) }
    }

    @Test(arguments: Fixtures.programFiles) func paddleFileKeepsEveryField(file: String) throws {
        let original = try Fixtures.data(file)
        let program = try ProgramDesc.decode(original, source: file)
        let written = ProgramDesc.encode(program)
        let before = try Self.dump(original)
        let after = try Self.dump(written)
        #expect(before.count > 50)
        #expect(
            before == after,
            "first difference: \(zip(before, after).first { $0 != $1 }.map { "\($0) vs \($1)" } ?? "length \(before.count) vs \(after.count)")"
        )
        // The comparison sees a change to a single attribute.
        var op = program.globalBlock.ops[0]
        op.attributes["op_role"] = .int(12345)
        program.globalBlock.ops[0] = op
        #expect(try Self.dump(ProgramDesc.encode(program)) != before)
    }

    @Test func paddleInferenceProgramReadsAsDeclared() throws {
        let program = try ProgramDesc.decode(try Fixtures.data("export/cnn/cnn.pdmodel"), source: "cnn.pdmodel")
        let block = program.globalBlock
        // Facts from the fixture's text dump (cnn.pdmodel.txt).
        #expect(program.compatibleVersion == 3_003_001)
        #expect(program.opVersions.count == 76)
        #expect(
            block.ops.map(\.type) == [
                "feed", "conv2d", "elementwise_add", "relu", "pool2d", "batch_norm", "conv2d",
                "elementwise_add", "relu", "pool2d", "mul", "elementwise_add", "softmax", "fetch",
            ])
        let filter = try #require(block.findVar("conv2d_1.w_0"))
        #expect(filter.shape == [50, 20, 5, 5] && filter.dtype == .float32 && filter.persistable)
        #expect(block.findVar("img")?.needCheckFeed == true && block.findVar("img")?.shape == [-1, 1, 28, 28])
        #expect(block.findVar("feed")?.kind == .feedMinibatch && block.findVar("fetch")?.kind == .fetchList)
        let conv = block.ops[1]
        #expect(conv.input("Filter") == ["conv2d_0.w_0"] && conv.output("Output") == ["conv2d_0.tmp_0"])
        #expect(
            conv.attributes["strides"] == .ints([1, 1]) && conv.attributes["padding_algorithm"] == .string("EXPLICIT"))
    }

    @Test func builtProgramRoundTrips() throws {
        let main = Program()
        let startup = Program()
        let net = ProgramBuilder(main: main, startup: startup)
        let img = net.data("img", shape: [-1, 1, 28, 28])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        var x = try net.conv2d(img, filters: 4, size: 3, act: .relu)
        x = try net.batchNorm(x)
        let prediction = try net.fc(x, size: 10, act: .softmax)
        let loss = try net.mean(try net.crossEntropy(prediction, label))
        try Adam(learningRate: 0.01).minimize(loss, program: main, startup: startup)
        main.appendBlock(parent: 0).forwardBlockIndex = 0

        for program in [main, startup] {
            let back = try ProgramDesc.decode(ProgramDesc.encode(program), source: "memory")
            #expect(back.blocks.count == program.blocks.count)
            for (a, b) in zip(program.blocks, back.blocks) {
                #expect(
                    a.index == b.index && a.parentIndex == b.parentIndex && a.forwardBlockIndex == b.forwardBlockIndex)
                #expect(a.vars == b.vars)
                #expect(a.ops == b.ops)
                #expect(a.ops.map { $0.inputs.map(\.slot) } == b.ops.map { $0.inputs.map(\.slot) }, "slot order kept")
            }
        }
    }

    @Test func everyAttributeKindRoundTrips() throws {
        let attributes: [String: Attribute] = [
            "i": .int(-7), "f": .float(0.25), "s": .string("héllo"), "ints": .ints([1, -2, 3]),
            "floats": .floats([0.5, -1]),
            "strings": .strings(["a", "", "c"]), "b": .bool(true), "bools": .bools([true, false]), "block": .block(1),
            "l": .long(1 << 40), "blocks": .blocks([0, 1]), "longs": .longs([-(1 << 50), 3]),
            "f64s": .float64s([1e-300, 2]),
            "var": .variable("x"), "vars": .variables(["x", "y"]), "f64": .float64(-3.5),
            "scalar": .scalar(.float64(2.5)), "scalar_b": .scalar(.bool(true)), "scalar_l": .scalar(.long(-9)),
            "scalars": .scalars([.long(1), .complex128(real: 1, imaginary: -2), .bool(false)]),
            "empty_ints": .ints([]),
        ]
        let p = Program()
        p.appendBlock(parent: 0)
        p.globalBlock.addVar(
            VarDesc(
                name: "x", dtype: .int64, shape: [-1, 3], lodLevel: 1, persistable: true, stopGradient: true,
                isParameter: true, needCheckFeed: true))
        p.globalBlock.addVar(VarDesc(name: "arr", kind: .lodTensorArray, dtype: .float64, shape: [2], lodLevel: 2))
        p.globalBlock.addVar(VarDesc(name: "rows", kind: .selectedRows, dtype: .int32, shape: [5, 4]))
        p.globalBlock.addVar(VarDesc(name: "steps", kind: .stepScopes))
        var op = OpDesc(type: "custom_op", inputs: ["X": ["x"]], outputs: ["Out": ["y", "z"]], attributes: attributes)
        op.isTarget = true
        p.globalBlock.appendOp(op)
        p.compatibleVersion = 3_003_001
        p.opVersions = [OpVersion(op: "conv2d", version: 1), OpVersion(op: "adam", version: 0)]
        let back = try ProgramDesc.decode(ProgramDesc.encode(p), source: "memory")
        #expect(back.globalBlock.ops == [op])
        #expect(back.globalBlock.ops[0].attributes == attributes)
        #expect(back.globalBlock.vars == p.globalBlock.vars)
        #expect(back.compatibleVersion == 3_003_001 && back.opVersions == p.opVersions)
        #expect(back.blocks[1].parentIndex == 0)
    }

    @Test func unknownFieldsAreKept() throws {
        var bytes = [UInt8](try Fixtures.data("export/softmax/softmax.pdmodel"))
        // Field 99, varint 300, and field 100, 3 length-delimited bytes: fields newer than the schema.
        let extra: [UInt8] = [0x98, 0x06, 0xAC, 0x02, 0xA2, 0x06, 0x03, 0x61, 0x62, 0x63]
        bytes += extra
        let program = try ProgramDesc.decode(Data(bytes), source: "memory")
        let written = [UInt8](ProgramDesc.encode(program))
        #expect(Array(written.suffix(extra.count)) == extra)
        #expect(try Self.dump(Data(bytes)) == Self.dump(Data(written)))
    }

    @Test func corruptBytesAreErrorsNamingTheFile() throws {
        let original = [UInt8](try Fixtures.data("export/mlp/mlp.pdmodel"))
        for bad in [Array(original.prefix(original.count / 2)), [0xFF, 0xFF, 0xFF], Array("not a model".utf8)] {
            #expect(throws: FluidError.self) { try ProgramDesc.decode(Data(bad), source: "bad.pdmodel") }
            do { _ = try ProgramDesc.decode(Data(bad), source: "bad.pdmodel") } catch {
                #expect("\(error)".contains("bad.pdmodel"))
            }
        }
        #expect(throws: FluidError.self) { try ProgramDesc.decode(Data(), source: "empty") }
    }

    @Test func generatedCodeIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let out = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "protoc-c", "--proto_path=\(root.path)/Specs", "--c_out=\(out)", "\(root.path)/Specs/framework.proto",
            "\(root.path)/Specs/onnx.proto",
        ]
        try process.run()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "protoc-c (Debian protobuf-c-compiler) must be installed: Tools/setup installs it")
        for (proto, target) in [("framework", "CFrameworkProto"), ("onnx", "CONNXProto")] {
            let source = root.appendingPathComponent("Sources/\(target)")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: out + "/\(proto).pb-c.c"))
                    == Data(contentsOf: source.appendingPathComponent("\(proto).pb-c.c")),
                "Sources/\(target) is stale: run Tools/generate-proto")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: out + "/\(proto).pb-c.h"))
                    == Data(contentsOf: source.appendingPathComponent("include/\(proto).pb-c.h")),
                "Sources/\(target) is stale: run Tools/generate-proto")
        }
    }
}
