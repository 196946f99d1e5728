/// Gradients of a variable that several ops use: each producer writes its own renamed
/// variable and a `sum` op adds them, as Paddle does (`X@GRAD@RENAME@block0@N`).
enum GradientAccumulation {
    static func renameAndSum(_ ops: [OpDesc]) -> [OpDesc] {
        var producers: [String: Int] = [:]
        for op in ops {
            for name in op.outputNames where name.hasSuffix(gradSuffix) { producers[name, default: 0] += 1 }
        }
        let shared = Set(producers.filter { $0.value > 1 }.keys)
        guard !shared.isEmpty else { return ops }

        var remaining = producers.filter { shared.contains($0.key) }
        var renames: [String: [String]] = [:]
        var result: [OpDesc] = []
        for var op in ops {
            var finished: [String] = []
            for (slot, names) in op.outputs {
                let renamed = names.map { name -> String in
                    guard shared.contains(name) else { return name }
                    let alias = "\(name)@RENAME@block0@\(renames[name, default: []].count)"
                    renames[name, default: []].append(alias)
                    remaining[name]! -= 1
                    if remaining[name] == 0 { finished.append(name) }
                    return alias
                }
                op.setOutput(slot, renamed)
            }
            result.append(op)
            for name in finished {
                var sum = OpDesc(type: "sum", inputs: ["X": renames[name]!], outputs: ["Out": [name]])
                sum.role = .backward
                result.append(sum)
            }
        }
        return result
    }
}
