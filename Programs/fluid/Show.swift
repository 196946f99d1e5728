import ArgumentParser
import Fluid

/// `fluid show MODEL`: feeds, fetches, ops, variables and parameters of a saved model.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print a model's feeds and fetches, its ops one per line, its variables and its parameters with sizes and totals."
    )

    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String

    func run() throws {
        let loaded = try loadInferenceModel(from: model)
        print("model: \(model) (\(loaded.layout.rawValue) layout)")
        print(ModelSummary(loaded))
    }
}
