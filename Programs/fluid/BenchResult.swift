import Foundation

/// The figures of a `fluid bench` run: per-call times in ms and what they summarise to.
///
/// Percentiles are nearest-rank on the sorted times (index round(p * (n - 1))), as
/// Tools/bench-peers computes them for the other frameworks, so the columns compare.
struct BenchResult: Encodable {
    let model: String
    let feeds: [String]
    let batchSize: Int
    let warmup: Int
    let optimize: Bool
    let threads: Int
    let milliseconds: [Double]

    var calls: Int { milliseconds.count }

    /// The time at fraction `p` (0...1) of the sorted calls.
    func percentile(_ p: Double) -> Double {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[Int((Double(sorted.count - 1) * p + 0.5).rounded(.down))]
    }

    var median: Double { percentile(0.5) }
    var imagesPerSecond: Double { Double(batchSize) / (median / 1000) }

    var text: String {
        func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }
        return """
            \(model): \(calls) calls of batch \(batchSize) (after \(warmup) warm-up calls, \(threads) threads\
            \(optimize ? ", inference passes" : ""))
              median \(ms(median)), min \(ms(percentile(0))), max \(ms(percentile(1))), \
            p10 \(ms(percentile(0.1))), p90 \(ms(percentile(0.9)))
              \(String(format: "%.1f", imagesPerSecond)) images/s, peak RSS \(String(format: "%.1f", peakRSSMegabytes())) MB
            """
    }

    enum CodingKeys: String, CodingKey {
        case framework, mode, model, feeds, warmup, optimize, threads, calls
        case batchSize = "batch_size"
        case median = "median_ms"
        case min = "min_ms"
        case max = "max_ms"
        case p10 = "p10_ms"
        case p90 = "p90_ms"
        case imagesPerSecond = "images_per_second"
        case peakRSS = "peak_rss_mb"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("swiftfluid", forKey: .framework)
        try c.encode("infer", forKey: .mode)
        try c.encode(model, forKey: .model)
        try c.encode(feeds, forKey: .feeds)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(calls, forKey: .calls)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(optimize, forKey: .optimize)
        try c.encode(threads, forKey: .threads)
        try c.encode(median, forKey: .median)
        try c.encode(percentile(0), forKey: .min)
        try c.encode(percentile(1), forKey: .max)
        try c.encode(percentile(0.1), forKey: .p10)
        try c.encode(percentile(0.9), forKey: .p90)
        try c.encode(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encode(peakRSSMegabytes(), forKey: .peakRSS)
    }

    /// One line of JSON, keys sorted.
    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The process's peak resident set so far, in MB (Linux reports ru_maxrss in KiB).
func peakRSSMegabytes() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    return Double(usage.ru_maxrss) / 1024
}
