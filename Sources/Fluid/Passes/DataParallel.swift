/// Rewrites a training program for data-parallel training over `nranks` processes, as
/// PaddlePaddle's collective transpiler does: every rank runs the rewritten program on its own
/// share of each batch, and the ranks keep identical parameters.
///
/// - main: a `scale` op (1 / nranks, in place on `loss@GRAD`, role Backward) right after the
///   op that seeds the loss gradient (role Backward | Loss), so each rank's gradients are its
///   share of the mean. Then the gradients the optimizer ops read (`Grad`) are summed over the
///   ranks before the first optimizer op reads them. By default they are fused into buckets of
///   at most `bucketBytes` (Horovod's fusion buffer, Paddle's fused allreduce): the gradients
///   are taken in the order the backward pass completes them, which is the same on every
///   rank, and cut into buckets per dtype; a `coalesce_tensor` before the first op writing
///   a bucket's gradients makes them views of one `FusedOutput_<first gradient>` buffer, and
///   one in-place `c_allreduce_sum` on it runs as soon as the bucket's last gradient is
///   complete. With `bucketBytes` 0, each gradient gets its own `c_allreduce_sum` right after
///   the op that completes it, as Paddle's unfused transpiler does.
/// - startup: a `c_broadcast` of every parameter (trained or not) from rank 0 (in place, ring
///   0) after its initialisation, so every rank starts from rank 0's values.
///
/// ```swift
/// try Adam(learningRate: 0.001).minimize(loss, program: main, startup: startup)
/// try DataParallel(nranks: world.size).apply(main: main, startup: startup)
/// ```
public struct DataParallel: Sendable {
    /// 32 MiB, Paddle's `fuse_grad_size_in_MB` default: the tutorial's models fit one bucket.
    public static let defaultBucketBytes = 32 << 20

    public let nranks: Int
    /// The most gradient bytes one fused `c_allreduce_sum` carries (a larger gradient gets a
    /// bucket of its own); 0 for one allreduce per gradient.
    public let bucketBytes: Int

    public init(nranks: Int, bucketBytes: Int = DataParallel.defaultBucketBytes) throws {
        guard nranks >= 1 else {
            throw FluidError.invalidArgument(name: "nranks", message: "is \(nranks); it must be at least 1")
        }
        guard bucketBytes >= 0 else {
            throw FluidError.invalidArgument(
                name: "bucketBytes", message: "is \(bucketBytes); it must be 0 (no fusion) or a positive byte count")
        }
        self.nranks = nranks
        self.bucketBytes = bucketBytes
    }

    /// A gradient the optimizer reads, and where the backward pass writes it.
    struct Gradient {
        var name: String
        var parameter: String
        var dtype: DataType
        var bytes: Int
        /// Indices of the first and the last op writing it before the optimizer.
        var firstWriter: Int
        var lastWriter: Int
    }

    /// Rewrites `main` and `startup` in place. A program without backward and optimizer ops
    /// (not yet `minimize`d, or a test program) is an error.
    public func apply(main: Program, startup: Program) throws {
        let block = main.globalBlock
        let ops = block.ops
        guard let lossGradient = ops.firstIndex(where: { $0.role.contains([.backward, .loss]) }) else {
            throw FluidError.program(
                "DataParallel needs a training program: no op seeds the loss gradient (op_role Backward | Loss); apply it after minimize"
            )
        }
        let gradients = try Self.gradients(of: block)

        var before: [Int: [OpDesc]] = [:]
        var after: [Int: [OpDesc]] = [:]
        let lossGradientName = try Self.onlyOutput(ops[lossGradient])
        var scale = OpDesc(
            type: "scale", inputs: ["X": [lossGradientName]], outputs: ["Out": [lossGradientName]],
            attributes: ["scale": .float(1 / Float(nranks))])
        scale.role = .backward
        after[lossGradient, default: []].append(scale)

        if bucketBytes == 0 {
            for gradient in gradients {
                after[gradient.lastWriter, default: []].append(
                    Self.collective("c_allreduce_sum", gradient.name, role: .backward, [:]))
            }
        } else {
            for bucket in Self.buckets(gradients, bucketBytes: bucketBytes) {
                let fused = Self.declareFused(bucket, in: block)
                var coalesce = OpDesc(
                    type: "coalesce_tensor", inputs: ["Input": bucket.map(\.parameter)],
                    outputs: ["Output": bucket.map(\.name), "FusedOutput": [fused]],
                    attributes: [
                        "copy_data": .bool(false), "use_align": .bool(true),
                        "dtype": .int(bucket[0].dtype.rawValue),
                    ])
                coalesce.role = .backward
                before[bucket.map(\.firstWriter).min()!, default: []].append(coalesce)
                after[bucket.map(\.lastWriter).max()!, default: []].append(
                    Self.collective("c_allreduce_sum", fused, role: .backward, [:]))
            }
        }

        var rewritten: [OpDesc] = []
        for (i, op) in ops.enumerated() {
            rewritten += before[i] ?? []
            rewritten.append(op)
            rewritten += after[i] ?? []
        }
        block.ops = rewritten

        // Every parameter, trained or not (batch_norm's running statistics), as Paddle's
        // transpiler broadcasts them, in the order the program declares them.
        let startupBlock = startup.globalBlock
        let declared = block.vars.filter(\.isParameter).map(\.name)
        let trained = gradients.map(\.parameter).filter { !declared.contains($0) }
        for parameter in declared + trained {
            guard startupBlock.ops.contains(where: { $0.outputNames.contains(parameter) }) else {
                throw FluidError.program("DataParallel: the startup program does not initialise parameter \(parameter)")
            }
            startupBlock.ops.append(
                Self.collective("c_broadcast", parameter, role: .forward, ["root": .int(0)]))
        }
    }

    /// The gradients the optimizer ops read, in the order the backward pass completes them.
    static func gradients(of block: Block) throws -> [Gradient] {
        let ops = block.ops
        let optimizers = ops.indices.filter { ops[$0].role.contains(.optimize) && !ops[$0].input("Grad").isEmpty }
        guard let firstOptimizer = optimizers.first else {
            throw FluidError.program("DataParallel needs a training program: it has no optimizer ops reading Grad")
        }
        var gradients: [Gradient] = []
        for op in optimizers.map({ ops[$0] }) {
            for (parameter, gradient) in zip(op.input("Param"), op.input("Grad")) {
                let writers = (0..<firstOptimizer).filter { ops[$0].outputNames.contains(gradient) }
                guard let first = writers.first, let last = writers.last else {
                    throw FluidError.program(
                        "DataParallel: no backward op computes \(gradient), which an optimizer reads")
                }
                guard let v = block.findVar(parameter), let count = Tensor.elementCount(of: v.shape) else {
                    throw FluidError.program(
                        "DataParallel: parameter \(parameter) is not declared with a known shape; its gradient's size is needed"
                    )
                }
                gradients.append(
                    Gradient(
                        name: gradient, parameter: parameter, dtype: v.dtype, bytes: count * v.dtype.size,
                        firstWriter: first, lastWriter: last))
            }
        }
        // Gradients completed by one op go as Paddle's transpiler inserts them, the last of its
        // op_role_var (parameter, gradient) pairs first; else in the optimizer's order.
        func roleVarPosition(_ g: Gradient) -> Int {
            guard case .strings(let pairs) = ops[g.lastWriter].attributes["op_role_var"] else { return 0 }
            return pairs.reversed().firstIndex(of: g.name) ?? pairs.count
        }
        return gradients.enumerated()
            .map { (key: ($1.lastWriter, roleVarPosition($1), $0), gradient: $1) }
            .sorted { $0.key < $1.key }.map(\.gradient)
    }

    /// `gradients` (in completion order) cut into buckets of one dtype and at most
    /// `bucketBytes` each, a gradient larger than that alone; ordered by when they complete.
    static func buckets(_ gradients: [Gradient], bucketBytes: Int) -> [[Gradient]] {
        var closed: [[Gradient]] = []
        var open: [DataType: [Gradient]] = [:]
        for gradient in gradients {
            if let bucket = open[gradient.dtype], bucket.map(\.bytes).reduce(0, +) + gradient.bytes > bucketBytes {
                closed.append(bucket)
                open[gradient.dtype] = nil
            }
            open[gradient.dtype, default: []].append(gradient)
        }
        closed += open.keys.sorted { $0.rawValue < $1.rawValue }.map { open[$0]! }
        // A stable sort, so every rank orders buckets that complete together alike.
        return closed.enumerated().sorted {
            ($0.element.last!.lastWriter, $0.offset) < ($1.element.last!.lastWriter, $1.offset)
        }
        .map(\.element)
    }

    /// Declares the bucket's fused buffer, named after its first gradient as Paddle names it.
    static func declareFused(_ bucket: [Gradient], in block: Block) -> String {
        var name = "FusedOutput_\(bucket[0].name)"
        var suffix = 0
        while block.findVar(name) != nil {
            suffix += 1
            name = "FusedOutput_\(bucket[0].name)_\(suffix)"
        }
        let elementSize = bucket[0].dtype.size
        let offsets = try? CoalesceTensorOps.Layout.offsets(
            counts: bucket.map { $0.bytes / elementSize }, elementSize: elementSize,
            alignment: CoalesceTensorOps.defaultAlignment)
        block.addVar(VarDesc(name: name, dtype: bucket[0].dtype, shape: [offsets?.last ?? -1], stopGradient: true))
        return name
    }

    /// An in-place collective on `variable` over ring 0, with the attributes Paddle's transpiler sets.
    static func collective(
        _ type: String, _ variable: String, role: OpRole, _ extra: [String: Attribute]
    ) -> OpDesc {
        var op = OpDesc(
            type: type, inputs: ["X": [variable]], outputs: ["Out": [variable]],
            attributes: ["ring_id": .int(0)].merging(extra) { _, new in new })
        op.role = role
        return op
    }

    static func onlyOutput(_ op: OpDesc) throws -> String {
        let names = op.outputNames
        guard names.count == 1 else {
            throw FluidError.program(
                "DataParallel: the loss-gradient op \(op.type) writes \(names.count) variables; it should write loss@GRAD alone"
            )
        }
        return names[0]
    }
}
