/// LoD (Paddle's level-of-detail offsets) validated as Paddle's `CheckLoD` does: every level
/// holds at least two offsets, starts at 0 and never decreases; each level ends at the number
/// of sequences of the next one (its offset count - 1), and the last level at the tensor's
/// first dimension. Offsets that break this would make sequence ops read outside the tensor.
extension Tensor {
    /// Sets the LoD after validating it against this tensor's shape; throws
    /// `FluidError.invalidTensor` saying which level and offset are at fault.
    ///
    /// ```swift
    /// let words = try Tensor(shape: [3, 1], scalars: [7, 8, 9] as [Int64])
    /// try words.setLoD([[0, 1, 3]])   // two sequences: [7] and [8, 9]
    /// ```
    public func setLoD(_ lod: [[Int]]) throws {
        if let problem = Tensor.lodProblem(lod, shape: shape) {
            throw FluidError.invalidTensor("LoD \(lod) does not fit a tensor of shape \(shape): \(problem)")
        }
        self.lod = lod
    }

    /// Why `lod` does not fit a tensor of `shape`, or nil when it does.
    static func lodProblem(_ lod: [[Int]], shape: [Int]) -> String? {
        guard !lod.isEmpty else { return nil }
        guard let rows = shape.first else { return "a tensor with LoD needs at least one dimension" }
        for (i, level) in lod.enumerated() {
            guard level.count >= 2 else { return "level \(i) holds \(level.count) offset(s), at least 2 are needed" }
            guard level[0] == 0 else { return "level \(i) starts at \(level[0]), not 0" }
            for j in 1..<level.count where level[j] < level[j - 1] {
                return "level \(i) decreases at offset \(j) (\(level[j - 1]) then \(level[j]))"
            }
            let end = i + 1 < lod.count ? lod[i + 1].count - 1 : rows
            let what =
                i + 1 < lod.count ? "the \(end) sequences of level \(i + 1)" : "the tensor's first dimension \(rows)"
            guard level[level.count - 1] == end else {
                return "level \(i) ends at \(level[level.count - 1]), but should end at \(what)"
            }
        }
        return nil
    }
}
