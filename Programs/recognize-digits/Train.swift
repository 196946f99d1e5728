import ArgumentParser
import Fluid
import FluidDistributed
import Foundation
import RecognizeDigits

/// `recognize-digits train`: the tutorial's training run, with its log lines, the metrics file,
/// the plot, the saved inference model and the closing "Best pass" lines.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a tutorial model and report test cost and accuracy after each epoch.")

    @OptionGroup var arguments: TrainingArguments

    func run() throws {
        _ = try arguments.train()
    }
}

/// The settings of a training run, shared by `train` and `tutorial`.
struct TrainingArguments: ParsableArguments {
    // Numbers are parsed unconditionally so that `--epochs -1` reaches the program's own
    // check instead of the parser's "missing value".
    @Option(help: "softmax, mlp or cnn.") var model: DigitModel = .cnn
    @Option(help: "mnist or fashion-mnist.") var dataset: DigitDataset = .mnist
    @Option(parsing: .unconditional, help: "Passes over the training images.") var epochs = 5
    @Option(
        parsing: .unconditional, help: "random_seed of the startup and main programs, and the shuffle seed (0 or more)."
    )
    var seed = 90
    @Option(parsing: .unconditional, help: "Images per training step.") var batchSize = 64
    @Option(parsing: .unconditional, help: "Adam's (base) learning rate.") var learningRate: Float = 0.001
    @Option(
        help:
            "Learning-rate schedule: constant (the tutorial's), cosine (per epoch, towards 0 at the end) or exponential (times --decay-rate after every epoch)."
    )
    var schedule: ScheduleKind = .constant
    @Option(parsing: .unconditional, help: "Factor per epoch of the exponential schedule.") var decayRate: Float = 0.5
    @Option(parsing: .unconditional, help: "L2 weight decay on every parameter (0: none).") var weightDecay: Float = 0
    @Option(
        parsing: .unconditional, help: "Dropout probability before every fully connected layer but the first (0: none)."
    )
    var dropout: Float = 0
    @Option(parsing: .unconditional, help: "Log a training line every this many batches.") var logInterval = 100
    @Option(
        parsing: .unconditional,
        help: "Threads for the kernels, GEMMs included (default: FLUID_NUM_THREADS, else all cores).") var threads: Int?
    @Option(help: "Write per-epoch figures and the logged training costs to this JSON file.") var metrics: String?
    @Option(help: "Draw train and test cost to this PNG file, refreshed after every epoch.") var plot: String?
    @Option(help: "Dataset directory (default: the cache, or Debian's directory for Fashion-MNIST).") var dataDir:
        String?
    @Flag(help: "Fetch MNIST into the cache first when it is missing.") var download = false
    @Flag(help: "Print the time spent per op type at the end.") var profile = false
    @Option(help: "Save the inference model here after every epoch, with a checkpoint in its checkpoint/ folder.")
    var saveDir = "recognize_digits.inference.model"
    @Option(
        help:
            "Inference model layout: directory (__model__ and a file per parameter, as the tutorial) or combined (MODEL.pdmodel and MODEL.pdiparams)."
    )
    var layout: ModelLayout = .directory
    @Flag(help: "Continue from the checkpoint in --save-dir; --epochs is then the total.") var resume = false
    @Flag(
        help:
            "Data-parallel training over the ranks of an MPI job (mpirun -np N recognize-digits train --distributed): each rank takes its equal share of every batch; rank 0 logs, tests and saves."
    )
    var distributed = false
    @Option(
        parsing: .unconditional,
        help:
            "With --distributed, the MiB of gradients fused into one allreduce (Horovod-style buckets, each sent as soon as its gradients are complete); 0: one allreduce per gradient."
    )
    var bucketMb: Double = Double(DataParallel.defaultBucketBytes) / 1_048_576
    @Flag(help: "Print the training and startup programs (as rewritten for --distributed) before training.")
    var printPrograms = false
    @Option(parsing: .unconditional, help: "Train on only the first N training images (for quick runs).")
    var trainLimit: Int?
    @Option(parsing: .unconditional, help: "Test on only the first N test images (for quick runs).")
    var testLimit: Int?

    func validate() throws {
        // Before `options`, which converts it to bytes.
        guard bucketMb.isFinite, bucketMb >= 0, bucketMb <= 1_048_576 else {
            throw ValidationError("--bucket-mb must lie in 0...1048576, got \(bucketMb)")
        }
        do { try options.validate() } catch { throw ValidationError("\(error)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if download && dataDir != nil {
            throw ValidationError("--download fetches into the cache; it cannot be combined with --data-dir")
        }
    }

    /// Trains as the flags say, printing the log (and a progress bar on a terminal); returns
    /// the trainer, which knows where the model went.
    func train() throws -> Trainer {
        if let threads { ProcessSetup.setThreadCount(threads) }
        // Unbuffered writes: the bar must appear as it is drawn, and log lines in order with it.
        let console = TrainingConsole(isTerminal: isatty(STDOUT_FILENO) == 1, width: terminalColumns() - 1) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if download { try DatasetDownload.ensure(dataset, log: console.log) }
        let communicator = distributed ? try MPICommunicator.start() : nil
        let trainer = try Trainer(options, communicator: communicator, log: console.log)
        trainer.onProgress = console.progress
        try trainer.train()
        if let path = trainer.modelPath { console.log("Inference model saved to \(path) (\(layout.rawValue) layout).") }
        if let plot { console.log("Plot of train and test cost written to \(plot).") }
        if let metrics { console.log("Metrics written to \(metrics).") }
        return trainer
    }

    var options: TrainingOptions {
        var options = TrainingOptions()
        options.model = model
        options.dataset = dataset
        options.epochs = epochs
        options.seed = seed
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.schedule = schedule
        options.decayRate = decayRate
        options.weightDecay = weightDecay
        options.dropout = dropout
        options.logInterval = logInterval
        options.metricsPath = metrics
        options.plotPath = plot
        options.dataDirectory = dataDir
        options.profile = profile
        options.saveDirectory = saveDir
        options.layout = layout
        options.resume = resume
        options.trainLimit = trainLimit
        options.testLimit = testLimit
        options.bucketBytes = Int(bucketMb * 1_048_576)
        options.printPrograms = printPrograms
        return options
    }
}

/// The terminal's width in columns (80 when it cannot be told), so the bar never wraps.
func terminalColumns() -> Int {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
    return Int(size.ws_col)
}
