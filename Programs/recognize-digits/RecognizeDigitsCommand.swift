import ArgumentParser
import Fluid
import Foundation
import RecognizeDigits

/// The "Recognize Digits" tutorial as a command-line program.
@main
struct RecognizeDigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recognize-digits",
        abstract: "PaddlePaddle's Recognize Digits tutorial on MNIST, in SwiftFluid.",
        subcommands: [
            Tutorial.self, Train.self, Infer.self, Evaluate.self, Samples.self, BenchReader.self, BenchTrain.self,
        ])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

extension DigitModel: ExpressibleByArgument {}
extension ModelLayout: ExpressibleByArgument {}
extension DigitDataset: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
