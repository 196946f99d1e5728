import Fluid
import FluidData
import Foundation
import Testing

@testable import RecognizeDigits

/// Training that stops after 2 epochs and resumes to 5 must end byte for byte where 5 epochs
/// straight end: every parameter, batch_norm statistic and Adam state in the checkpoint, and
/// every parameter file of the saved inference model.
@Suite struct ResumeTrainingTests {
    static func options(_ model: DigitModel, dir: String, epochs: Int, resume: Bool, layout: ModelLayout)
        -> TrainingOptions
    {
        var o = TrainingOptions()
        o.model = model
        o.epochs = epochs
        o.resume = resume
        o.saveDirectory = dir
        o.layout = layout
        o.trainLimit = 320
        o.testLimit = 64
        o.shuffleBuffer = 100
        return o
    }

    static func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: dir) where name != Checkpoint.metadataFileName {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        }
        return out
    }

    @Test(arguments: [(DigitModel.softmax, ModelLayout.directory), (.cnn, .combined)])
    func resumedRunEqualsStraightRun(model: DigitModel, layout: ModelLayout) throws {
        let root = NSTemporaryDirectory() + "swiftfluid-resume-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let quiet: (String) -> Void = { _ in }
        try Trainer(Self.options(model, dir: root + "/straight", epochs: 5, resume: false, layout: layout), log: quiet)
            .train()
        try Trainer(Self.options(model, dir: root + "/resumed", epochs: 2, resume: false, layout: layout), log: quiet)
            .train()
        let resumed = try Trainer(
            Self.options(model, dir: root + "/resumed", epochs: 5, resume: true, layout: layout), log: quiet)
        #expect(resumed.epochsCompleted == 2)
        let metrics = try resumed.train()
        #expect(metrics.epochs.map(\.epoch) == [1, 2, 3, 4, 5])

        let straightCheckpoint = try Self.files(root + "/straight/checkpoint")
        #expect(straightCheckpoint.keys.contains { $0.hasSuffix("_moment1_0") }, "Adam moments are checkpointed")
        #expect(straightCheckpoint == (try Self.files(root + "/resumed/checkpoint")))
        let straightModel = try Self.files(root + "/straight")
        #expect(!straightModel.isEmpty)
        #expect(straightModel == (try Self.files(root + "/resumed")))
        // And a resumed run differs from one that restarted from scratch for the remaining epochs.
        try Trainer(Self.options(model, dir: root + "/fresh", epochs: 3, resume: false, layout: layout), log: quiet)
            .train()
        #expect(try Self.files(root + "/fresh/checkpoint") != straightCheckpoint)
    }

    @Test func resumeRefusesOtherSettingsAndFinishedRuns() throws {
        let root = NSTemporaryDirectory() + "swiftfluid-resume-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Trainer(Self.options(.softmax, dir: root, epochs: 1, resume: false, layout: .directory), log: { _ in })
            .train()
        var other = Self.options(.softmax, dir: root, epochs: 3, resume: true, layout: .directory)
        other.seed = 7
        #expect(throws: FluidError.self) { try Trainer(other, log: { _ in }) }
        #expect(throws: FluidError.self) {
            try Trainer(Self.options(.softmax, dir: root, epochs: 1, resume: true, layout: .directory), log: { _ in })
        }
        #expect(throws: FluidError.self) {
            try Trainer(Self.options(.mlp, dir: root, epochs: 3, resume: true, layout: .directory), log: { _ in })
        }
        // The saved model loads and classifies.
        let model = try loadInferenceModel(from: root)
        #expect(model.feedNames == ["img"] && model.fetchNames == ["fc_0.tmp_2"])
    }
}
