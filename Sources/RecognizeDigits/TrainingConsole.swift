import Foundation

/// The training run's output: log lines always, and on a terminal a live progress bar on the
/// line below them. Every log line first erases the bar, so the log reads the same as in a
/// pipe; the bar is redrawn after it while the epoch is still running.
///
/// ```swift
/// let console = TrainingConsole(isTerminal: isatty(1) == 1) { fputs($0, stdout); fflush(stdout) }
/// let trainer = try Trainer(options, log: console.log)
/// trainer.onProgress = console.progress
/// ```
public final class TrainingConsole {
    /// Erases the current terminal line and returns the cursor to its start.
    static let eraseLine = "\r\u{1B}[2K"

    private let isTerminal: Bool
    private let write: (String) -> Void
    private let clock: () -> Double
    private let width: Int
    private var shown: TrainingProgress?
    private var lastDraw = -Double.infinity

    /// `write` receives raw text (newlines and, on a terminal, escape sequences included);
    /// `clock` gives seconds and throttles redraws to ten a second.
    public init(
        isTerminal: Bool, width: Int = 100, clock: @escaping () -> Double = monotonicSeconds,
        write: @escaping (String) -> Void
    ) {
        self.isTerminal = isTerminal
        self.width = max(width, 20)
        self.clock = clock
        self.write = write
    }

    /// Prints `line` above the bar.
    public func log(_ line: String) {
        if shown != nil { write(Self.eraseLine) }
        write(line + "\n")
        if let shown, shown.batchesDone < shown.batches { write(Self.bar(shown, width: width)) } else { shown = nil }
    }

    /// Redraws the bar for `progress` (at most ten times a second, and always on the epoch's
    /// last batch); does nothing when the output is not a terminal.
    public func progress(_ progress: TrainingProgress) {
        guard isTerminal else { return }
        let now = clock()
        let last = progress.batchesDone >= progress.batches
        guard last || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        write(Self.eraseLine + Self.bar(progress, width: width))
        shown = progress
    }

    /// One line, at most `width` characters:
    /// `Pass 0 [=========>          ] 312/938  5231 img/s  ETA 0:12  cost 0.2345`.
    static func bar(_ p: TrainingProgress, width: Int) -> String {
        let counts = "\(p.batchesDone)/\(p.batches)"
        let rate = "\(Int(p.imagesPerSecond.rounded())) img/s"
        let tail =
            " \(counts)  \(rate)  ETA \(clockTime(p.secondsRemaining))  cost \(String(format: "%.4f", p.runningCost))"
        let head = "Pass \(p.epoch) "
        let cells = max(width - head.count - tail.count - 2, 5)
        let filled = p.batches > 0 ? min(cells, cells * p.batchesDone / p.batches) : 0
        let arrow = filled < cells && filled > 0 ? ">" : ""
        let bar =
            String(repeating: "=", count: filled - arrow.count) + arrow + String(repeating: " ", count: cells - filled)
        // Cut on narrow terminals: a line that wrapped could not be erased.
        return String((head + "[" + bar + "]" + tail).prefix(width))
    }

    /// m:ss, or h:mm:ss from an hour up.
    static func clockTime(_ seconds: Double) -> String {
        let s = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }
}

/// Seconds of a monotonic clock.
public func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}
