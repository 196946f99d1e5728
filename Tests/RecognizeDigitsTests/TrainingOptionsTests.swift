import Fluid
import Testing

@testable import RecognizeDigits

@Suite struct TrainingOptionsTests {
    @Test func theTutorialsSettingsAreValid() throws {
        let options = TrainingOptions()
        try options.validate()
        #expect(options.epochs == 5 && options.batchSize == 64 && options.learningRate == 0.001 && options.seed == 90)
        #expect(options.shuffleBuffer == 500 && options.model == .cnn)
    }

    @Test func settingsThatCannotTrainAreRefusedByName() {
        var cases: [(TrainingOptions, String)] = []
        var o = TrainingOptions()
        o.epochs = 0
        cases.append((o, "epochs"))
        o = TrainingOptions()
        o.seed = -1
        cases.append((o, "seed"))
        o = TrainingOptions()
        o.batchSize = 2_000_000_000
        cases.append((o, "batch size"))
        o = TrainingOptions()
        o.learningRate = .infinity
        cases.append((o, "learning rate"))
        o = TrainingOptions()
        o.shuffleBuffer = 0
        cases.append((o, "shuffle buffer"))
        o = TrainingOptions()
        o.logInterval = 0
        cases.append((o, "log interval"))
        for (options, name) in cases {
            do {
                _ = try Trainer(options)
                Issue.record("\(name) must be refused")
            } catch {
                #expect("\(error)".contains(name), "\(error)")
            }
        }
    }
}
