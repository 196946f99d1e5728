import Foundation
import Testing

@testable import Fluid

@Suite struct InferenceModelTests {
    static let models = [("softmax", "fc_0.tmp_2"), ("mlp", "fc_2.tmp_2"), ("cnn", "fc_0.tmp_2")]

    @Test(arguments: models) func paddleModelsLoadInEveryLayout(model: String, fetch: String) throws {
        let paths = [
            "export/\(model)/\(model).pdmodel", "export/\(model)", "export/\(model)/\(model)",
            "export/\(model)/fluid1x", "export/\(model)/full_attrs",
        ].map(Fixtures.path)
        let loaded = try paths.map { try loadInferenceModel(from: $0) }
        #expect(loaded.map(\.layout) == [.combined, .combined, .combined, .directory, .combined])
        let reference = loaded[0]
        #expect(reference.feedNames == ["img"] && reference.fetchNames == [fetch])
        let names = PersistableFiles.variables(of: reference.program).map(\.name)
        #expect(names.count >= 2 && names == names.sorted())
        for other in loaded.dropFirst() {
            #expect(other.feedNames == ["img"] && other.fetchNames == [fetch])
            for name in names {
                let a = try #require(reference.scope[name])
                let b = try #require(other.scope[name])
                #expect(
                    try a.shape == b.shape && a.scalars(as: Float.self) == b.scalars(as: Float.self),
                    "\(name) equal in both layouts")
            }
        }
    }

    @Test(arguments: ["softmax", "mlp", "cnn"]) func paddleParamsWriteBackByteIdentical(model: String) throws {
        let original = try Fixtures.data("export/\(model)/\(model).pdiparams")
        let loaded = try loadInferenceModel(from: Fixtures.path("export/\(model)/\(model).pdmodel"))
        var written = Data()
        for v in PersistableFiles.variables(of: loaded.program) {
            TensorStream.write(try #require(loaded.scope[v.name]), to: &written)
        }
        #expect(written == original)
        // And each file of the directory layout.
        for v in PersistableFiles.variables(of: loaded.program) {
            var one = Data()
            TensorStream.write(try #require(loaded.scope[v.name]), to: &one)
            #expect(one == (try Fixtures.data("export/\(model)/fluid1x/\(v.name)")), "\(v.name)")
        }
    }

    /// A small trained-shape network, its test clone, and a scope with its parameters.
    static func network() throws -> (main: Program, test: Program, scope: Scope, prediction: String) {
        let main = Program()
        let startup = Program()
        main.randomSeed = 3
        startup.randomSeed = 3
        let net = ProgramBuilder(main: main, startup: startup)
        let img = net.data("img", shape: [-1, 1, 8, 8])
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        var x = try net.conv2d(img, filters: 3, size: 3, act: .relu)
        x = try net.batchNorm(x)
        x = try net.pool2d(x, size: 2, stride: 2, type: .max)
        let prediction = try net.fc(try net.fc(x, size: 16, act: .relu), size: 4, act: .softmax)
        let loss = try net.mean(try net.crossEntropy(prediction, label))
        let test = main.clone(forTest: true)
        try Adam(learningRate: 0.01).minimize(loss, program: main, startup: startup)
        let scope = Scope()
        try Executor().run(startup, scope: scope)
        try scope.set("batch_norm_0.w_1", Tensor(shape: [3], scalars: [0.1, -0.2, 0.3] as [Float]))
        try scope.set("batch_norm_0.w_2", Tensor(shape: [3], scalars: [0.5, 2, 1.5] as [Float]))
        return (main, test, scope, prediction.name)
    }

    @Test(arguments: ModelLayout.allCases) func savedModelReloadsAndComputesTheSame(layout: ModelLayout) throws {
        let (main, test, scope, prediction) = try Self.network()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = layout == .directory ? dir + "/model" : dir + "/model/net"
        try saveInferenceModel(
            to: path, feeds: ["img"], fetches: [prediction], program: main, scope: scope, layout: layout)

        let images = Tensor.random([5, 1, 8, 8], seed: 11)
        let label = try Tensor(shape: [5, 1], scalars: [0, 1, 2, 3, 0] as [Int64])
        let want = try Executor().run(test, scope: scope, feed: ["img": images, "label": label], fetch: [prediction])[0]
        for optimize in [false, true] {
            let model = try loadInferenceModel(from: dir + "/model", optimize: optimize)
            #expect(model.layout == layout && model.feedNames == ["img"] && model.fetchNames == [prediction])
            let got = try Executor().run(model.program, scope: model.scope, feed: ["img": images])[0]
            #expect(got.shape == want.shape)
            for (a, b) in try zip(got.scalars(as: Float.self), want.scalars(as: Float.self)) {
                #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "optimize \(optimize)")
            }
        }
        // Paddle's form: feed ops first, fetch ops last, is_test set, no training ops or label.
        let program = try loadInferenceModel(from: dir + "/model").program
        let ops = program.globalBlock.ops
        #expect(
            ops.first?.type == "feed" && ops.first?.attributes["col"] == .int(0) && ops.first?.input("X") == ["feed"])
        #expect(
            ops.last?.type == "fetch" && ops.last?.input("X") == [prediction] && ops.last?.output("Out") == ["fetch"])
        #expect(ops.allSatisfy { $0.role == .forward && !$0.type.hasSuffix("_grad") && $0.type != "adam" })
        #expect(ops.first { $0.type == "batch_norm" }?.attributes["is_test"] == .bool(true))
        #expect(
            program.globalBlock.findVar("label") == nil && program.globalBlock.findVar("feed")?.kind == .feedMinibatch)
        let saved = PersistableFiles.variables(of: program).map(\.name)
        #expect(
            saved == [
                "batch_norm_0.b_0", "batch_norm_0.w_0", "batch_norm_0.w_1", "batch_norm_0.w_2", "conv2d_0.b_0",
                "conv2d_0.w_0", "fc_0.b_0", "fc_0.w_0", "fc_1.b_0", "fc_1.w_0",
            ], "parameters only, no Adam moments")
        if layout == .directory {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/model").sorted()
            #expect(files == (["__model__"] + saved).sorted())
        }
    }

    @Test func saveFailingMidwayLeavesThePreviousModel() throws {
        let (main, _, scope, prediction) = try Self.network()
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for layout in ModelLayout.allCases {
            let path = dir + "/" + layout.rawValue + (layout == .combined ? "/net" : "")
            try saveInferenceModel(
                to: path, feeds: ["img"], fetches: [prediction], program: main, scope: scope, layout: layout)
            let before = try snapshot(dir + "/" + layout.rawValue)
            let w = try #require(scope["fc_1.w_0"])
            let changed = scope.makeChild()
            try changed.set("fc_1.w_0", Tensor(shape: w.shape, scalars: [Float](repeating: 7, count: w.count)))
            for failAfter in [0, 1, 3] where layout == .directory || failAfter < 2 {
                var writer = AtomicFileWriter(failAfterFiles: failAfter)
                #expect(throws: FluidError.self) {
                    try saveInferenceModel(
                        to: path, feeds: ["img"], fetches: [prediction], program: main, scope: changed,
                        layout: layout, writer: &writer)
                }
                if layout == .directory || failAfter == 0 {
                    #expect(
                        try snapshot(dir + "/" + layout.rawValue) == before,
                        "\(layout) after a failure past \(failAfter) files")
                }
                _ = try loadInferenceModel(from: dir + "/" + layout.rawValue)
            }
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") },
                "no temporaries left")
        }
    }

    private func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
        return files
    }
}
