import RecognizeDigits
import Testing

@testable import recognize_digits

/// The train command's argument parsing: every flag reaches the options, and bad values are
/// refused with a message that names them.
@Suite struct TrainCommandTests {
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try Train.parse(arguments)
            return nil
        } catch {
            return Train.message(for: error)
        }
    }

    @Test(arguments: [
        (["--epochs", "-1"], "epochs must be at least 1, got -1"),
        (["--batch-size", "-64"], "the batch size must lie in 1...60000, got -64"),
        (["--learning-rate", "-0.1"], "the learning rate must be a positive number, got -0.1"),
        (["--seed", "-5"], "the seed must be 0 or more, got -5"),
        (["--dropout", "1"], "the dropout probability must lie in [0, 1), got 1.0"),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
        (["--model", "resnet"], "resnet"),
        (["--dataset", "cifar"], "cifar"),
        (["--schedule", "linear"], "linear"),
        (["--download", "--data-dir", "/tmp"], "--download fetches into the cache"),
    ])
    func badValuesAreRefusedByName(arguments: [String], expected: String) {
        let message = Self.refusal(arguments)
        #expect(message?.contains(expected) == true, "\(arguments): \(message ?? "accepted")")
    }

    @Test func flagsReachTheOptions() throws {
        let command = try Train.parse([
            "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "12", "--seed", "7", "--batch-size", "128",
            "--learning-rate", "0.002", "--schedule", "cosine", "--weight-decay", "0.0001", "--dropout", "0.2",
            "--plot", "cost.png", "--metrics", "m.json", "--layout", "combined", "--save-dir", "out", "--threads", "1",
        ])
        let o = command.arguments.options
        #expect(o.model == .mlp && o.dataset == .fashionMNIST && o.epochs == 12 && o.seed == 7 && o.batchSize == 128)
        #expect(o.learningRate == 0.002 && o.schedule == .cosine && o.weightDecay == 0.0001 && o.dropout == 0.2)
        #expect(
            o.plotPath == "cost.png" && o.metricsPath == "m.json" && o.layout == .combined && o.saveDirectory == "out")
        #expect(command.arguments.threads == 1)
    }

    @Test func theDefaultsAreTheTutorials() throws {
        let o = try Train.parse([]).arguments.options
        #expect(o.model == .cnn && o.dataset == .mnist && o.epochs == 5 && o.batchSize == 64 && o.learningRate == 0.001)
        #expect(o.schedule == .constant && o.weightDecay == 0 && o.dropout == 0)
        #expect(o.saveDirectory == "recognize_digits.inference.model")
    }
}

extension TrainCommandTests {
    @Test func anEmptyDataDirectoryIsRefusedInsteadOfReadingTheRoot() {
        let message = Self.refusal(["--data-dir", ""])
        #expect(message?.contains("the data directory is an empty string") == true, "\(message ?? "accepted")")
        #expect(Self.refusal(["--save-dir", ""])?.contains("the save directory is an empty string") == true)
    }
}
