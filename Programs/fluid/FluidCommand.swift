import ArgumentParser
import Fluid

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
        subcommands: [Show.self, Dot.self, Run.self, Bench.self, Convert.self, Ops.self, Info.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
