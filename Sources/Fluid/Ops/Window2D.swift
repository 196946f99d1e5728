/// Attribute decoding and window arithmetic shared by `conv2d` and `pool2d`: Paddle's
/// `strides`/`ksize`/`dilations` pairs, 2- or 4-value `paddings`, `padding_algorithm` and
/// `data_format`, with the same rounding as Paddle's C++ (integer division truncates).
enum Window2D {
    /// Paddle's `padding_algorithm`.
    enum PaddingAlgorithm: String {
        case explicit = "EXPLICIT"
        case same = "SAME"
        case valid = "VALID"
    }

    /// A two-value integer attribute (height, width), each at least `minimum`.
    static func pair(_ op: OpDesc, _ name: String, minimum: Int = 1) throws -> (h: Int, w: Int) {
        let v = try op.ints(name)
        guard v.count == 2 else {
            throw FluidError.attribute(
                op: op.type, name: name, message: "should hold 2 values (height, width), found \(v)")
        }
        guard v[0] >= minimum, v[1] >= minimum else {
            throw FluidError.attribute(
                op: op.type, name: name, message: "should hold values of at least \(minimum), found \(v)")
        }
        return (v[0], v[1])
    }

    /// `paddings` as given: 2 values are [height, width] padded on both sides,
    /// 4 values are [top, bottom, left, right].
    static func explicitPadding(_ op: OpDesc) throws -> Padding2D {
        let p = try op.ints("paddings")
        guard p.allSatisfy({ $0 >= 0 }) else {
            throw FluidError.attribute(op: op.type, name: "paddings", message: "should not be negative, found \(p)")
        }
        switch p.count {
        case 2: return Padding2D(top: p[0], bottom: p[0], left: p[1], right: p[1])
        case 4: return Padding2D(top: p[0], bottom: p[1], left: p[2], right: p[3])
        default:
            throw FluidError.attribute(
                op: op.type, name: "paddings",
                message: "should hold 2 values [height, width] or 4 values [top, bottom, left, right], found \(p)")
        }
    }

    static func algorithm(_ op: OpDesc) throws -> PaddingAlgorithm {
        let s = try op.string("padding_algorithm")
        guard let a = PaddingAlgorithm(rawValue: s) else {
            throw FluidError.attribute(
                op: op.type, name: "padding_algorithm",
                message: "should be \"EXPLICIT\", \"SAME\" or \"VALID\", found \"\(s)\"")
        }
        return a
    }

    /// Throws unless `attribute` names a channel-first layout (SwiftFluid's kernels run NCHW only).
    static func checkChannelFirst(_ op: OpDesc, attribute: String = "data_format") throws {
        let f = try op.string(attribute)
        guard f == "NCHW" || f == "AnyLayout" else {
            throw FluidError.attribute(
                op: op.type, name: attribute,
                message:
                    "is \"\(f)\", but SwiftFluid runs \(op.type) in NCHW layout only; transpose the input to NCHW and set \(attribute) to \"NCHW\""
            )
        }
    }

    /// Paddle's SAME padding along one axis: output ceil(size / stride), the padding that
    /// makes it fit split with the smaller half first. -1 when `size` is unknown.
    static func samePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, after: Int) {
        guard size >= 0 else { return (-1, -1) }
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + kernel - size, 0)
        return (total / 2, total - total / 2)
    }

    /// Padding after applying `padding_algorithm` to `explicit` (SAME from the kernel size).
    static func resolve(
        _ algorithm: PaddingAlgorithm, explicit: Padding2D, height: Int, width: Int,
        kernel: (h: Int, w: Int), stride: (h: Int, w: Int)
    ) -> Padding2D {
        switch algorithm {
        case .explicit: return explicit
        case .valid: return Padding2D(top: 0, bottom: 0, left: 0, right: 0)
        case .same:
            let h = samePadding(size: height, kernel: kernel.h, stride: stride.h)
            let w = samePadding(size: width, kernel: kernel.w, stride: stride.w)
            return Padding2D(top: h.before, bottom: h.after, left: w.before, right: w.after)
        }
    }

    /// Smallest `o` with `o * stride + offset >= bound`, clamped to 0...limit: the edges of the
    /// run of outputs whose input index falls inside [0, size) (used with bound 0 and bound size).
    @inline(__always)
    static func firstOutput(reaching bound: Int, stride: Int, offset: Int, limit: Int) -> Int {
        let need = bound - offset
        let o = need <= 0 ? 0 : (need + stride - 1) / stride
        return min(o, limit)
    }
}

/// Zero padding added around a 2-D input, per side.
struct Padding2D: Equatable, CustomStringConvertible {
    var top: Int, bottom: Int, left: Int, right: Int

    var description: String { "[\(top), \(bottom), \(left), \(right)]" }
}
