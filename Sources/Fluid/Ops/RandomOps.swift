import Foundation

/// Random initializers: `uniform_random`, `gaussian_random`, `truncated_gaussian_random`.
///
/// Each step restarts the generator from the op's seed (KernelContext.seed: the op's `seed`
/// attribute, else the program's `random_seed` and the op's position), so running a startup
/// program twice gives bit-identical parameters, and different seeds give different values.
enum RandomOps {
    /// A shape held in a tensor is only known when the program runs, too late for planning.
    static let shapeAsAttribute = "a shape given as a tensor is not implemented; give it in the 'shape' attribute"

    /// Shape inputs Paddle may wire (sizes held in tensors); planning needs the sizes up front.
    private static let shapeTensorSlots: [SlotSpec] = [
        .unsupported("ShapeTensor", shapeAsAttribute), .unsupported("ShapeTensorList", shapeAsAttribute),
    ]

    /// Uniform in [min, max). With diag_num > 0, elements i * (diag_step + 1) for i < diag_num
    /// are then set to diag_val (Paddle's diagonal initialization).
    static let uniformRandom = OpDefinition(
        OpSchema(
            "uniform_random", inputs: shapeTensorSlots, outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("shape", .longs([])),
                AttributeSpec("dtype", .int(DataType.float32.rawValue)),
                AttributeSpec("min", .float(-1)),
                AttributeSpec("max", .float(1)),
                AttributeSpec("seed", .int(0)),
                AttributeSpec("diag_num", .int(0)),
                AttributeSpec("diag_step", .int(0)),
                AttributeSpec("diag_val", .float(1)),
            ]),
        inferShape: inferRandomShape,
        kernel: { ctx in
            let out = try ctx.output("Out")
            let lo = try ctx.op.double("min")
            let hi = try ctx.op.double("max")
            guard lo <= hi else { throw ctx.error("min \(lo) is greater than max \(hi)") }
            let diagNum = try ctx.op.int("diag_num")
            let diagStep = try ctx.op.int("diag_step")
            let diagVal = try ctx.op.double("diag_val")
            if diagNum > 0 {
                guard diagStep >= 0, (diagNum - 1) * (diagStep + 1) < out.count else {
                    throw ctx.error(
                        "diag_num \(diagNum) with diag_step \(diagStep) reaches past the \(out.count) elements of Out \(out.shape)"
                    )
                }
            }
            return try floatingKernel(
                ctx, out,
                UniformFill(
                    seed: ctx.seed, lo: lo, hi: hi, diagNum: diagNum,
                    diagStep: diagStep, diagVal: diagVal))
        })

    static let gaussianRandom = OpDefinition(
        OpSchema(
            "gaussian_random", inputs: shapeTensorSlots, outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("shape", .longs([])),
                AttributeSpec("mean", .float(0)),
                AttributeSpec("std", .float(1)),
                AttributeSpec("seed", .int(0)),
                AttributeSpec("dtype", .int(DataType.float32.rawValue)),
            ]),
        inferShape: inferRandomShape,
        kernel: { ctx in
            let out = try ctx.output("Out")
            let mean = try ctx.op.double("mean")
            let std = try ctx.op.double("std")
            return try floatingKernel(
                ctx, out, NormalFill(seed: ctx.seed, mean: mean, std: std, lo: -.infinity, hi: .infinity))
        })

    /// Normal values redrawn until they lie within 2 std of the mean. When the op carries
    /// Paddle 2.5+'s `a` and `b` attributes, those absolute bounds apply instead.
    static let truncatedGaussianRandom = OpDefinition(
        OpSchema(
            "truncated_gaussian_random", outputs: [SlotSpec("Out")],
            attributes: [
                AttributeSpec("shape", .ints([])),
                AttributeSpec("mean", .float(0)),
                AttributeSpec("std", .float(1)),
                AttributeSpec("seed", .int(0)),
                AttributeSpec("dtype", .int(DataType.float32.rawValue)),
            ]),
        inferShape: inferRandomShape,
        kernel: { ctx in
            let out = try ctx.output("Out")
            let mean = try ctx.op.double("mean")
            let std = try ctx.op.double("std")
            guard std >= 0 else { throw ctx.error("std \(std) is negative") }
            // Bounds on the standard normal before scaling.
            var lo = -2.0
            var hi = 2.0
            if let a = ctx.op.attributes["a"]?.doubleValue, let b = ctx.op.attributes["b"]?.doubleValue, std > 0 {
                lo = (a - mean) / std
                hi = (b - mean) / std
            }
            // Redrawing needs a range the normal lands in often enough.
            let mass = (erf(hi / 2.0.squareRoot()) - erf(lo / 2.0.squareRoot())) / 2
            guard std == 0 || mass >= 1e-4 else {
                throw ctx.error(
                    "the truncation bounds keep only \(mass) of the distribution (mean \(mean), std \(std))")
            }
            return try floatingKernel(ctx, out, NormalFill(seed: ctx.seed, mean: mean, std: std, lo: lo, hi: hi))
        })

    static let definitions = [uniformRandom, gaussianRandom, truncatedGaussianRandom]

    // MARK: Shared parts

    private static func inferRandomShape(_ ctx: inout ShapeContext) throws {
        let shape = try ctx.op.ints("shape")
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error("Out", "the 'shape' attribute \(shape) has a negative or unknown dimension")
        }
        ctx.setOutput("Out", TensorMeta(try ctx.op.dataType("dtype"), shape))
    }

    /// A step closure running `filler` on Out's elements, as float32 or float64.
    private static func floatingKernel<F: RandomFill>(_ ctx: KernelContext, _ out: Tensor, _ filler: F) throws -> Kernel
    {
        switch out.dtype {
        case .float32: return { filler.fill(out.floats, out.count) }
        case .float64: return { filler.fill(out.pointer(as: Double.self), out.count) }
        default: throw ctx.error("random ops generate float32 or float64 values; dtype asks for \(out.dtype)")
        }
    }
}

/// Fills a buffer with random values, restarting its generator from the same seed each time.
protocol RandomFill {
    func fill<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ n: Int)
}

extension RandomOps {
    struct UniformFill: RandomFill {
        let seed: UInt64
        let lo, hi: Double
        let diagNum, diagStep: Int
        let diagVal: Double

        func fill<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
            var rng = SeededGenerator(bits: seed)
            let width = hi - lo
            for i in 0..<n { p[i] = T(lo + width * rng.nextUnit()) }
            for i in 0..<Swift.max(diagNum, 0) { p[i * (diagStep + 1)] = T(diagVal) }
        }
    }

    /// Normal values; a standard draw outside [lo, hi] is drawn again.
    struct NormalFill: RandomFill {
        let seed: UInt64
        let mean, std: Double
        let lo, hi: Double

        func fill<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
            var rng = SeededGenerator(bits: seed)
            var i = 0
            while i < n {
                let (a, b) = rng.nextNormalPair()
                if a >= lo && a <= hi {
                    p[i] = T(mean + std * a)
                    i += 1
                }
                if i < n && b >= lo && b <= hi {
                    p[i] = T(mean + std * b)
                    i += 1
                }
            }
        }
    }
}
