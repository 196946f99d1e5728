/// Paddle-style unique names: `fc_0`, `fc_1`, ... per key, and `fc_0.tmp_0`, `fc_0.w_0` below them.
public struct UniqueNameGenerator: Sendable {
    private var counters: [String: Int] = [:]

    public init() {}

    /// Next name for `key`: `key_0`, `key_1`, ...
    public mutating func next(_ key: String) -> String {
        let n = counters[key, default: 0]
        counters[key] = n + 1
        return "\(key)_\(n)"
    }
}
