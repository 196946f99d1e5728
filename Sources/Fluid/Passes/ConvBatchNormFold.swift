/// Folds an inference batch_norm into the conv2d before it (`"conv_bn_fold"`), as Paddle's
/// `conv_bn_fuse_pass` and `conv_eltwiseadd_bn_fuse_pass`.
///
/// `conv2d` (then, optionally, `elementwise_add` of a per-channel bias on axis 1) then
/// `batch_norm` with `is_test` computes, per output channel c with
/// alpha[c] = scale[c] / sqrt(variance[c] + epsilon),
/// `(conv(x, W)[c] + b[c] - mean[c]) * alpha[c] + beta[c]`, which is
/// `conv(x, W')[c] + b'[c]` with `W'[c] = W[c] * alpha[c]` and
/// `b'[c] = (b[c] - mean[c]) * alpha[c] + beta[c]` (b = 0 without the add).
/// The pass writes W' and b' into the scope as new persistable variables
/// (`conv2d_0.w_0.bn_fold_0`, ...; the originals may be shared), points the conv at W', and
/// replaces the batch_norm by an `elementwise_add` (axis 1) of b' whose output keeps
/// batch_norm's Y name, so the ops after it are untouched.
///
/// It folds only when that is exact: batch_norm uses its running statistics (`is_test`,
/// not `trainable_statistics`), both ops are NCHW, the filter, bias and statistics are
/// persistable and no op writes them, and the conv output (and the add output) is read by
/// nothing else and is no fetch target. batch_norm's side outputs must be unread.
///
/// ```swift
/// let inference = main.clone(forTest: true)
/// let report = try ConvBatchNormFold().apply(to: inference, scope: scope)   // scope holds the parameters
/// ```
public struct ConvBatchNormFold: ProgramPass {
    public static let passName = "conv_bn_fold"
    public var name: String { Self.passName }
    /// Names the program's users read, besides the X of its `fetch` ops: never folded away.
    public var fetches: [String]

    public init(fetches: [String] = []) { self.fetches = fetches }

    /// One conv2d (+ add) + batch_norm found in block 0, by op index.
    struct Match {
        var conv: Int
        var add: Int?
        var batchNorm: Int
    }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        var report = PassReport(pass: name)
        let block = program.globalBlock
        let protected = PassSupport.fetchTargets(block, fetches)
        var leftovers = Set<String>()
        while let match = findMatch(program, protected: protected) {
            guard let scope else {
                throw FluidError.program(
                    "Pass '\(name)' needs the scope holding the parameters, to rewrite the filter and bias of conv2d '\(block.ops[match.conv].output("Output").first ?? "")'."
                )
            }
            leftovers.formUnion(try fold(match, in: program, scope: scope))
            report.fusions += 1
            report.opsRemoved += match.add == nil ? 1 : 2
            report.opsAdded += 1
        }
        report.variablesRemoved = PassSupport.removeVars(leftovers, ifUnusedIn: program, protected: protected)
        return report
    }

    /// The first foldable pattern in block 0, or nil.
    func findMatch(_ program: Program, protected: Set<String>) -> Match? {
        let block = program.globalBlock
        let reads = PassSupport.readCounts(program)
        let writes = PassSupport.writeCounts(program)
        func persistable(_ name: String) -> Bool { block.findVar(name)?.persistable == true }
        /// A parameter the fold reads once, from the scope: persistable, written by `allowedWrites` ops at most.
        func parameter(_ name: String?, allowedWrites: Int = 0) -> Bool {
            guard let name else { return false }
            return persistable(name) && writes[name, default: 0] <= allowedWrites
        }
        /// A temporary only `reader` sees: one writer, one read, not fetched.
        func privateTemporary(_ name: String) -> Bool {
            !protected.contains(name) && !persistable(name) && reads[name, default: 0] == 1
                && writes[name, default: 0] == 1
        }
        for (j, op) in block.ops.enumerated() where op.type == "batch_norm" {
            let bn = PassSupport.filled(op)
            guard (try? bn.bool("is_test")) == true, (try? bn.bool("trainable_statistics")) == false,
                (try? bn.string("data_layout")) == "NCHW", let x = bn.input("X").first, privateTemporary(x)
            else { continue }
            let sideOutputsUnread = ["SavedMean", "SavedVariance", "ReserveSpace"].allSatisfy { slot in
                bn.output(slot).allSatisfy { reads[$0, default: 0] == 0 && !protected.contains($0) && !persistable($0) }
            }
            // In test mode MeanOut/VarianceOut are the running statistics themselves (or unread copies).
            let statisticsKept = [("Mean", "MeanOut"), ("Variance", "VarianceOut")].allSatisfy { slot, outSlot in
                bn.output(outSlot) == bn.input(slot)
                    || bn.output(outSlot).allSatisfy {
                        reads[$0, default: 0] == 0 && !protected.contains($0) && !persistable($0)
                    }
            }
            let statisticsWrites = bn.output("MeanOut") == bn.input("Mean") ? 1 : 0
            guard sideOutputsUnread, statisticsKept, parameter(bn.input("Scale").first),
                parameter(bn.input("Bias").first),
                parameter(bn.input("Mean").first, allowedWrites: statisticsWrites),
                parameter(bn.input("Variance").first, allowedWrites: statisticsWrites),
                let p = PassSupport.producer(of: x, before: j, in: block)
            else { continue }
            var add: Int?
            var convOutput = x
            if block.ops[p].type == "elementwise_add" {
                let a = PassSupport.filled(block.ops[p])
                guard (try? a.int("axis")) == 1, let ax = a.input("X").first, let bias = a.input("Y").first,
                    parameter(bias), block.findVar(bias)?.shape.count == 1, privateTemporary(ax)
                else { continue }
                add = p
                convOutput = ax
            }
            guard let c = PassSupport.producer(of: convOutput, before: add ?? j, in: block),
                block.ops[c].type == "conv2d"
            else { continue }
            let conv = PassSupport.filled(block.ops[c])
            guard ["NCHW", "AnyLayout"].contains((try? conv.string("data_format")) ?? ""),
                let filter = conv.input("Filter").first, parameter(filter), block.findVar(filter)?.shape.count == 4
            else { continue }
            return Match(conv: c, add: add, batchNorm: j)
        }
        return nil
    }

    /// Rewrites one match; returns the names it stopped using.
    private func fold(_ match: Match, in program: Program, scope: Scope) throws -> Set<String> {
        let block = program.globalBlock
        var conv = block.ops[match.conv]
        let bn = PassSupport.filled(block.ops[match.batchNorm])
        let addOp = match.add.map { block.ops[$0] }
        func name(_ op: OpDesc, _ slot: String, output: Bool = false) -> String {
            (output ? op.output(slot) : op.input(slot)).first ?? ""
        }
        let filterName = name(conv, "Filter")
        let convOutput = name(conv, "Output", output: true)
        let biasName = addOp.map { name($0, "Y") }
        func tensor(_ name: String) throws -> Tensor {
            guard let t = scope[name], t.dtype == .float32 else {
                throw FluidError.missingVariable(
                    name: name,
                    context:
                        "pass 'conv_bn_fold' reads it as a float32 tensor from the scope: run the startup program or load the parameters first"
                )
            }
            return t
        }
        let filter = try tensor(filterName)
        let scale = try tensor(name(bn, "Scale"))
        let beta = try tensor(name(bn, "Bias"))
        let mean = try tensor(name(bn, "Mean"))
        let variance = try tensor(name(bn, "Variance"))
        let bias = try biasName.map(tensor)
        let channels = filter.shape.first ?? 0
        for (slot, t) in [("Scale", scale), ("Bias", beta), ("Mean", mean), ("Variance", variance)]
            + (bias.map { [("Y", $0)] } ?? [])
        where t.count != channels {
            throw FluidError.shapeMismatch(
                op: "batch_norm", slot: slot,
                message:
                    "conv_bn_fold: \(slot) \(t.shape) should hold one value per output channel of Filter \(filter.shape) (\(channels))"
            )
        }
        let eps = Double(try bn.float("epsilon"))
        let perChannel = channels > 0 ? filter.count / channels : 0
        let newFilter = Tensor(uncheckedDType: .float32, shape: filter.shape)
        let newBias = Tensor(uncheckedDType: .float32, shape: [channels])
        let w = filter.floats
        let w2 = newFilter.floats
        let b2 = newBias.floats
        let s = scale.floats
        let be = beta.floats
        let m = mean.floats
        let v = variance.floats
        let b = bias?.floats
        for c in 0..<channels {
            let alpha = Double(s[c]) / (Double(v[c]) + eps).squareRoot()
            for i in c * perChannel..<(c + 1) * perChannel { w2[i] = Float(Double(w[i]) * alpha) }
            b2[c] = Float((Double(b?[c] ?? 0) - Double(m[c])) * alpha + Double(be[c]))
        }
        let newFilterName = PassSupport.freshName(program, filterName, "bn_fold")
        let newBiasName = PassSupport.freshName(program, biasName ?? name(bn, "Bias"), "bn_fold")
        block.addVar(
            VarDesc(
                name: newFilterName, dtype: .float32, shape: filter.shape, persistable: true, stopGradient: true,
                isParameter: true))
        block.addVar(
            VarDesc(
                name: newBiasName, dtype: .float32, shape: [channels], persistable: true, stopGradient: true,
                isParameter: true))
        scope.set(newFilterName, newFilter)
        scope.set(newBiasName, newBias)

        conv.setInput("Filter", [newFilterName])
        var biasAdd = OpDesc(
            type: "elementwise_add", inputs: ["X": [convOutput], "Y": [newBiasName]],
            outputs: ["Out": bn.output("Y")], attributes: ["axis": .int(1)])
        biasAdd.role = bn.role
        var ops = block.ops
        ops[match.conv] = conv
        // The add takes batch_norm's place: every reader of Y comes after it.
        ops[match.batchNorm] = biasAdd
        if let a = match.add { ops.remove(at: a) }
        block.ops = ops
        var names = Set(((addOp.map { [$0] } ?? []) + [bn]).flatMap { $0.inputNames + $0.outputNames })
        names.insert(filterName)
        return names
    }
}
