import Foundation

/// The test process's memory high-water marks from /proc/self/status, for tests that check a
/// hostile input is refused before anything large is allocated. Both are process-wide and only
/// ever grow, so a test compares them before and after with a generous margin: other tests
/// running in parallel allocate too, but never gigabytes.
public enum ProcessMemory {
    /// Peak resident set size (VmHWM): pages actually touched, e.g. a buffer that was zeroed.
    public static var peakResidentBytes: Int { field("VmHWM:") }

    /// Peak virtual size (VmPeak): address space reserved, touched or not, e.g. a large malloc.
    public static var peakVirtualBytes: Int { field("VmPeak:") }

    /// The value of a "Name:   1234 kB" line in bytes, 0 when the line is missing.
    private static func field(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes =
                line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
                ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
