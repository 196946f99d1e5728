/// Fuses `conv2d` + `elementwise_add` (+ `relu`) into `fused_conv2d`, and their gradients
/// (`relu_grad`, `elementwise_add_grad`, `conv2d_grad`) into `fused_conv2d_grad`
/// (`"conv_bias_activation_fuse"`), as Paddle's `conv_elementwise_add_act_fuse_pass` does for
/// inference, but for training programs too: what `ProgramBuilder.conv2d` emits becomes one op
/// forward and one backward, with two passes over the output fewer each way.
///
/// A chain fuses only when the fused ops compute exactly what it did (up to float rounding):
/// - the add's X is the conv's output and its Y a 1-D persistable bias [M] (which only the
///   optimizer rewrites, after the chain), with axis 1: one value per output channel;
/// - the conv's output and the add's (when a relu follows) are read by no other op than the
///   chain's own forward and grad ops, and are no fetch targets;
/// - in a program with backward ops, the grad ops are all there: relu_grad (when a relu was
///   fused) feeding elementwise_add_grad feeding conv2d_grad, whose intermediate gradients no
///   other op reads, and nothing between them reads the bias gradient or rewrites an input.
///
/// The fused ops take the place of the chain's last forward and last grad op and keep the
/// chain's outer names (the relu's output, the conv's inputs, the parameters' gradients), so
/// optimizer ops and fetches read what they read before. Run it on a copy of the program the
/// executor runs; the program saved for Paddle keeps its standard ops.
///
/// ```swift
/// let running = network.main.copy()
/// try ConvBiasActivationFuse().apply(to: running, scope: nil)   // 2 fused in the tutorial's CNN
/// ```
public struct ConvBiasActivationFuse: ProgramPass {
    public static let passName = "conv_bias_activation_fuse"
    public var name: String { Self.passName }
    /// Names the program's users read, besides the X of its `fetch` ops: never fused away.
    public var fetches: [String]

    public init(fetches: [String] = []) { self.fetches = fetches }

    /// One fusable chain by op index, and the ops that replace it.
    struct Match {
        var forward: [Int]
        var backward: [Int]
        var fused: OpDesc
        var fusedGrad: OpDesc?
    }

    @discardableResult
    public func apply(to program: Program, scope: Scope?) throws -> PassReport {
        var report = PassReport(pass: name)
        let block = program.globalBlock
        let protected = PassSupport.fetchTargets(block, fetches)
        var leftovers = Set<String>()
        while let match = findMatch(program, protected: protected) {
            var replacements = [(match.forward, match.fused)]
            if let grad = match.fusedGrad { replacements.append((match.backward, grad)) }
            var ops = block.ops.map(Optional.some)
            for (indices, op) in replacements {
                for i in indices { leftovers.formUnion(block.ops[i].outputNames) }
                for i in indices.dropLast() { ops[i] = nil }
                ops[indices[indices.count - 1]] = op
                report.opsRemoved += indices.count
                report.opsAdded += 1
            }
            block.ops = ops.compactMap { $0 }
            report.fusions += 1
        }
        report.variablesRemoved = PassSupport.removeVars(leftovers, ifUnusedIn: program, protected: protected)
        return report
    }

    /// The first fusable chain in block 0, or nil.
    func findMatch(_ program: Program, protected: Set<String>) -> Match? {
        let block = program.globalBlock
        let ops = block.ops
        let writes = PassSupport.writeCounts(program)
        let views = PassSupport.coalescedViews(block)
        func declared(_ name: String) -> VarDesc? { block.findVar(name) }
        /// The ops that read `name` (every block counts: a sub-block read keeps it alive).
        func readers(_ name: String) -> [Int]? {
            if program.blocks.dropFirst().contains(where: { $0.ops.contains { $0.inputNames.contains(name) } }) {
                return nil
            }
            return ops.indices.filter { ops[$0].inputNames.contains(name) }
        }
        func temporary(_ name: String) -> Bool {
            !protected.contains(name) && declared(name)?.persistable != true && writes[name, default: 0] == 1
        }
        for (i, op) in ops.enumerated() where op.type == "conv2d" {
            let conv = PassSupport.filled(op)
            guard let x = conv.input("Input").first, let w = conv.input("Filter").first,
                let t0 = conv.output("Output").first, temporary(t0), let t0Readers = readers(t0),
                let k = t0Readers.first, k > i, ops[k].type == "elementwise_add", ops[k].input("X") == [t0]
            else { continue }
            let add = PassSupport.filled(ops[k])
            guard let bias = add.input("Y").first, declared(bias)?.persistable == true,
                declared(bias)?.shape.count == 1,
                (try? add.int("axis")) == 1, let t1 = add.output("Out").first, temporary(t1),
                let t1Readers = readers(t1)
            else { continue }
            // A relu that alone reads the sum fuses too.
            var relu: Int?
            if t1Readers.count == 1, let r = t1Readers.first, ops[r].type == "relu", ops[r].input("X") == [t1] {
                relu = r
            }
            let out = relu.flatMap { ops[$0].output("Out").first } ?? t1
            let forward = [i, k] + (relu.map { [$0] } ?? [])
            // Nothing between the fused ops rewrites what the fused op reads at the later place.
            guard
                !ops[(i + 1)..<forward[forward.count - 1]].contains(where: { op in
                    op.outputNames.contains { [x, w, bias].contains($0) }
                })
            else { continue }
            var fused = OpDesc(
                type: "fused_conv2d", inputs: ["Input": [x], "Filter": [w], "Bias": [bias]],
                outputs: ["Output": [out]], attributes: conv.attributes)
            fused.attributes["fuse_activation"] = .string(relu == nil ? "" : "relu")
            fused.role = op.role

            let t0GradReaders = t0Readers.filter { $0 != k }
            if t0GradReaders.isEmpty {
                // No backward ops use the chain: fuse the forward ops alone.
                guard !ops.contains(where: { $0.outputNames.contains(gradName(t0)) }) else { continue }
                return Match(forward: forward, backward: [], fused: fused, fusedGrad: nil)
            }
            guard
                let grad = backwardChain(
                    ops, conv: conv, t0Readers: t0GradReaders, reluOut: relu == nil ? nil : out, readers: readers,
                    temporary: temporary)
            else { continue }
            let addGrad = ops[grad[grad.count - 2]]
            let convGrad = ops[grad[grad.count - 1]]
            let dOut = ops[grad[0]].input(gradName("Out"))
            let dBias = addGrad.output(gradName("Y"))
            // The fused grad op reads its inputs and writes the bias gradient at conv2d_grad's
            // place: nothing between may rewrite the former or read the latter.
            // A collective on a coalesce_tensor buffer reads and writes the gradients it holds.
            let between = ops[(grad[0] + 1)..<grad[grad.count - 1]]
            guard
                !between.contains(where: { op in
                    PassSupport.throughViews(op.inputNames, views).contains { dBias.contains($0) }
                        || PassSupport.throughViews(op.outputNames, views).contains {
                            [x, w, bias, out].contains($0) || dOut.contains($0)
                        }
                })
            else { continue }
            var fusedGrad = OpDesc(
                type: "fused_conv2d_grad",
                inputs: ["Input": [x], "Filter": [w], "Bias": [bias], "Output": [out], gradName("Output"): dOut],
                outputs: [
                    gradName("Input"): convGrad.output(gradName("Input")),
                    gradName("Filter"): convGrad.output(gradName("Filter")), gradName("Bias"): dBias,
                ],
                attributes: fused.attributes)
            fusedGrad.role = convGrad.role
            return Match(forward: forward, backward: grad, fused: fused, fusedGrad: fusedGrad)
        }
        return nil
    }

    /// The indices of [relu_grad,] elementwise_add_grad and conv2d_grad of one chain, in order,
    /// when they are all there and their intermediate gradients are private to them.
    private func backwardChain(
        _ ops: [OpDesc], conv: OpDesc, t0Readers: [Int], reluOut: String?,
        readers: (String) -> [Int]?, temporary: (String) -> Bool
    ) -> [Int]? {
        guard t0Readers.count == 1, let a = t0Readers.first, ops[a].type == "elementwise_add_grad",
            let dt0 = ops[a].output(gradName("X")).first, temporary(dt0), let dt0Readers = readers(dt0),
            dt0Readers.count == 1, let c = dt0Readers.first, c > a, ops[c].type == "conv2d_grad",
            ops[c].input(gradName("Output")) == [dt0], ops[c].input("Input") == conv.input("Input"),
            ops[c].input("Filter") == conv.input("Filter")
        else { return nil }
        guard let reluOut else { return [a, c] }
        guard let dt1 = ops[a].input(gradName("Out")).first, temporary(dt1), readers(dt1) == [a],
            let r = ops[..<a].lastIndex(where: { $0.outputNames.contains(dt1) }), ops[r].type == "relu_grad",
            ops[r].input("Out") == [reluOut]
        else { return nil }
        return [r, a, c]
    }
}
