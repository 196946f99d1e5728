/// The element updates of the optimizer ops (OptimizerOps), each formula written once for a
/// `FloatLanes` type: run eight lanes at a time (`SIMD8<Float>`), the tail one float at a time,
/// split over the cores for large parameters. Lanes and floats compute the same operations in
/// the same order (no fused multiply-add), so the result does not depend on width or split.
protocol FloatLanes {
    init(broadcast value: Float)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Self
    func store(_ p: UnsafeMutablePointer<Float>)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    func squareRoot() -> Self
}

extension Float: FloatLanes {
    @inline(__always) init(broadcast value: Float) { self = value }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> Float { p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { p.pointee = self }
}

extension SIMD8: FloatLanes where Scalar == Float {
    @inline(__always) init(broadcast value: Float) { self.init(repeating: value) }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> Self {
        UnsafeRawPointer(p).loadUnaligned(as: Self.self)
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self)
    }
}

/// An update of element i (and, for lanes, the seven after it) of a parameter.
protocol ElementUpdate {
    func apply<L: FloatLanes>(at i: Int, _ lanes: L.Type)
}

extension ElementUpdate {
    /// Updates elements 0..<count.
    func run(count: Int) {
        // Pieces of whole lanes, one per core, for parameters large enough to pay for the threads.
        let pieces = count >= 1 << 15 ? coreCount : 1
        let pieceSize = ((count + pieces - 1) / pieces + 7) / 8 * 8
        parallelFor(pieces, work: count * 8) { piece in
            run(from: piece * pieceSize, to: min(piece * pieceSize + pieceSize, count))
        }
    }

    /// Updates elements start..<end (start a multiple of 8 for whole lanes), on the calling thread.
    @inline(__always)
    func run(from start: Int, to end: Int) {
        typealias Lanes = SIMD8<Float>
        var i = start
        while i + Lanes.scalarCount <= end {
            apply(at: i, Lanes.self)
            i += Lanes.scalarCount
        }
        while i < end {
            apply(at: i, Float.self)
            i += 1
        }
    }
}

/// The updates of several parameters as one parallel loop over chunks of all of them (what a
/// merged optimizer op runs): small parameters no longer cost a loop each, and the work splits
/// evenly over the cores whatever the sizes. Chunks are fixed by the sizes alone, and lanes
/// compute what floats do, so the results are those of one update per parameter, bit for bit.
final class MultiTensorUpdate<U: ElementUpdate> {
    /// Elements per chunk: a multiple of the lanes, large enough to amortise a piece.
    static var chunkSize: Int { 1 << 13 }

    private let chunks: [(tensor: Int, start: Int, end: Int)]
    private let total: Int
    /// This step's update of each parameter, rewritten in place every step (no allocation).
    var updates: [U]

    init(counts: [Int], initial: U) {
        var chunks: [(Int, Int, Int)] = []
        for (t, count) in counts.enumerated() {
            for start in stride(from: 0, to: count, by: Self.chunkSize) {
                chunks.append((t, start, min(start + Self.chunkSize, count)))
            }
        }
        self.chunks = chunks
        total = counts.reduce(0, +)
        updates = Array(repeating: initial, count: counts.count)
    }

    func run() {
        parallelFor(chunks.count, work: total * 8) { c in
            let chunk = chunks[c]
            updates[chunk.tensor].run(from: chunk.start, to: chunk.end)
        }
    }
}

/// param -= rate * grad
struct SGDStep: ElementUpdate {
    let rate: Float
    let param, grad, paramOut: UnsafeMutablePointer<Float>

    @inline(__always)
    func apply<L: FloatLanes>(at i: Int, _ lanes: L.Type) {
        (L.load(param + i) - L(broadcast: rate) * L.load(grad + i)).store(paramOut + i)
    }
}

/// g = grad * rescale + l2 * param; v = mu v + g; param -= rate v (Nesterov: rate (g + mu v)).
struct MomentumStep: ElementUpdate {
    let mu, rate, l2, rescale: Float
    let nesterov: Bool
    let param, grad, velocity, paramOut, velocityOut: UnsafeMutablePointer<Float>

    @inline(__always)
    func apply<L: FloatLanes>(at i: Int, _ lanes: L.Type) {
        let p = L.load(param + i)
        let g = L.load(grad + i) * L(broadcast: rescale) + L(broadcast: l2) * p
        let v = L(broadcast: mu) * L.load(velocity + i) + g
        v.store(velocityOut + i)
        let step = nesterov ? (g + L(broadcast: mu) * v) * L(broadcast: rate) : L(broadcast: rate) * v
        (p - step).store(paramOut + i)
    }
}

/// Adam as OptimizerOps.adam documents it, with lr_t and eps_t computed once per step.
struct AdamStep: ElementUpdate {
    let beta1, beta2, lrT, epsT: Float
    let param, grad, moment1, moment2: UnsafeMutablePointer<Float>
    let paramOut, moment1Out, moment2Out: UnsafeMutablePointer<Float>

    @inline(__always)
    func apply<L: FloatLanes>(at i: Int, _ lanes: L.Type) {
        let g = L.load(grad + i)
        let a = L(broadcast: beta1) * L.load(moment1 + i) + L(broadcast: 1 - beta1) * g
        let b = L(broadcast: beta2) * L.load(moment2 + i) + L(broadcast: 1 - beta2) * g * g
        let p = L.load(param + i)
        a.store(moment1Out + i)
        b.store(moment2Out + i)
        (p - L(broadcast: lrT) * (a / (b.squareRoot() + L(broadcast: epsT)))).store(paramOut + i)
    }
}
