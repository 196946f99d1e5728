import ArgumentParser
import Fluid
import FluidDistributed

/// `fluid`: SwiftFluid's model tool: what SwiftFluid supports, and what a saved model holds,
/// looks like, computes and is stored as.
@main
struct FluidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluid",
        abstract: "SwiftFluid's model tool.",
        discussion: """
            MODEL is an inference model saved by SwiftFluid or PaddlePaddle: a directory (holding __model__, \
            or a single .pdmodel), a prefix P of P.pdmodel and P.pdiparams, or a .pdmodel path.
            """,
        subcommands: [Show.self, Dot.self, Run.self, Bench.self, Convert.self, Ops.self, Info.self, Collectives.self])

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
