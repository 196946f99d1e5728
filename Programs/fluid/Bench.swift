import ArgumentParser
import Fluid
import Foundation

/// `fluid bench MODEL`: the time of one call of a saved model, measured on seeded random input
/// of its feed shapes, so any model can be timed without a dataset.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time calls of a model on seeded random input of its feed shapes (build with -c release).",
        discussion: """
            Every feed target gets a tensor of its declared shape with the batch dimension set to --batch-size: \
            float feeds uniform in [-1, 1) (the tutorial's pixel range), integer feeds 0. Warm-up calls compile \
            the executor's plan; then --calls calls of the same program on the same input are timed, each with \
            its feed copy and fetch. Prints the median, minimum, maximum, 10th and 90th percentile in ms per \
            call and images per second (batch size / median); --json prints one JSON object instead.
            """)

    // Numbers are parsed unconditionally so that `--batch-size -1` reaches validate()'s message.
    @Argument(help: "The model: a directory, a prefix or a .pdmodel path.") var model: String
    @Option(parsing: .unconditional, help: "Images per call.") var batchSize = 1
    @Option(parsing: .unconditional, help: "Timed calls (default: max(20, 1000 / batch size)).") var calls: Int?
    @Option(parsing: .unconditional, help: "Untimed calls before the timed ones.") var warmup = 10
    @Option(parsing: .unconditional, help: "Seed of the random input.") var seed = 1
    @Option(
        parsing: .unconditional,
        help: "Threads for the kernels, GEMMs included (default: FLUID_NUM_THREADS, else all cores).")
    var threads: Int?
    @Flag(
        help:
            "Run the inference passes on the loaded program first, with conv2d + bias + relu fused (PassManager.executionPasses)."
    )
    var optimize = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, not \(batchSize).") }
        if let calls, calls < 1 { throw ValidationError("--calls must be at least 1, not \(calls).") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more, not \(warmup).") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads).") }
    }

    /// The timed calls when --calls is not given: about a second's worth of images on a small model.
    var callCount: Int { calls ?? max(20, 1000 / batchSize) }

    func run() throws {
        print(try report())
    }

    /// What `run` prints: the summary as text, or as JSON with --json.
    func report() throws -> String {
        let result = try measure()
        return json ? try result.jsonText() : result.text
    }

    /// Loads the model, warms up and times the calls.
    func measure() throws -> BenchResult {
        if let threads { ProcessSetup.setThreadCount(threads) }
        let loaded = try loadInferenceModel(from: model)
        // The passes for a program that runs rather than one that is saved: Paddle's CPU
        // predictor runs fused_conv2d only with oneDNN, so `--optimize` elsewhere leaves it out.
        let program = loaded.program
        if optimize {
            try PassManager(PassManager.executionPasses, feeds: loaded.feedNames, fetches: loaded.fetchNames).run(
                on: program, scope: loaded.scope)
        }
        let feed = try BenchInput.feed(for: loaded, batchSize: batchSize, seed: seed)
        let executor = Executor()
        for _ in 0..<warmup {
            try executor.run(program, scope: loaded.scope, feed: feed)
        }
        var milliseconds: [Double] = []
        milliseconds.reserveCapacity(callCount)
        for _ in 0..<callCount {
            let start = DispatchTime.now().uptimeNanoseconds
            try executor.run(program, scope: loaded.scope, feed: feed)
            milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return BenchResult(
            model: model, feeds: loaded.feedNames, batchSize: batchSize, warmup: warmup, optimize: optimize,
            threads: ProcessSetup.threadCount, milliseconds: milliseconds)
    }
}

/// The seeded random input of `fluid bench`.
enum BenchInput {
    /// One tensor per feed target: its declared shape with the batch dimension (a leading -1)
    /// set to `batchSize`. Throws naming the feed when the shape cannot be made concrete.
    static func feed(for model: InferenceModel, batchSize: Int, seed: Int) throws -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        var feed: [String: Tensor] = [:]
        for name in model.feedNames {
            guard let variable = model.program.globalBlock.findVar(name) else {
                throw FluidError.missingVariable(name: name, context: "the model feeds it but does not declare it")
            }
            var shape = variable.shape
            if shape.first == -1 { shape[0] = batchSize }
            guard shape.first == batchSize, shape.allSatisfy({ $0 >= 0 }) else {
                throw FluidError.badFeed(
                    name: name,
                    message:
                        "the model declares shape \(variable.shape); `fluid bench` needs a leading batch dimension (-1 or \(batchSize)) and known other dimensions"
                )
            }
            let tensor = try Tensor(dtype: variable.dtype, shape: shape)
            tensor.zero()
            if variable.dtype == .float32 {
                let values = try tensor.floatPointer()
                for i in 0..<tensor.count { values[i] = Float(generator.nextUnit() * 2 - 1) }
            } else if variable.dtype.isFloatingPoint {
                throw FluidError.badFeed(
                    name: name, message: "is \(variable.dtype); `fluid bench` feeds float32 or integer tensors")
            }
            feed[name] = tensor
        }
        return feed
    }
}
