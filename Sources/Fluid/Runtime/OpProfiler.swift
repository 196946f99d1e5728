import Dispatch

/// Wall time spent per op type, collected by an executor whose `profiler` is set.
///
/// ```swift
/// exe.profiler = OpProfiler()
/// ... run steps ...
/// print(exe.profiler!.report())
/// ```
public final class OpProfiler {
    public struct Entry: Sendable {
        public let type: String
        public var calls: Int
        public var seconds: Double
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    func record(_ type: String, nanoseconds: UInt64) {
        entries[type, default: Entry(type: type, calls: 0, seconds: 0)].calls += 1
        entries[type]!.seconds += Double(nanoseconds) / 1e9
    }

    /// Op types by total time, largest first.
    public var summary: [Entry] { entries.values.sorted { $0.seconds > $1.seconds } }

    /// A table of op types with calls, total seconds and share of the time.
    public func report() -> String {
        let total = summary.reduce(0) { $0 + $1.seconds }
        var lines = ["op type                              calls     seconds   share"]
        for e in summary {
            let share = total > 0 ? e.seconds / total * 100 : 0
            lines.append(
                e.type.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + String(format: "%9d %11.3f %6.1f%%", e.calls, e.seconds, share))
        }
        return lines.joined(separator: "\n")
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
