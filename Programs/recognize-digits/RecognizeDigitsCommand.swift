import ArgumentParser
import Fluid
import FluidDistributed
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
            // In an MPI job, a failing rank ends the whole job, so no other rank waits for it.
            if let world = MPICommunicator.running, world.size > 1, exitCode(for: error) != .success {
                world.abortJob(fullMessage(for: error), code: exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }
}

extension DigitModel: ExpressibleByArgument {}
extension ModelLayout: ExpressibleByArgument {}
extension DigitDataset: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
