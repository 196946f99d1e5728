/// How a parameter is initialised: an op appended to the startup program.
public enum Initializer: Sendable, Equatable {
    case constant(Float)
    case uniform(low: Float, high: Float)
    case normal(mean: Float, std: Float)
    case truncatedNormal(mean: Float, std: Float)
    /// Glorot: uniform in ±sqrt(6/(fanIn+fanOut)) or normal with std sqrt(2/(fanIn+fanOut)).
    /// Paddle's default for weights.
    case xavier(uniform: Bool)
    /// He: uniform in ±sqrt(6/fanIn) or normal with std sqrt(2/fanIn).
    case msra(uniform: Bool)

    public static let xavier = Initializer.xavier(uniform: true)

    /// Fans as Paddle computes them: [in, out] for a matrix; for a filter [Cout, Cin, kh, kw],
    /// fanIn = Cin*kh*kw and fanOut = Cout*kh*kw.
    static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape[2...].reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }

    /// The startup-program op that fills `name` of `shape` and `dtype`.
    func op(for name: String, shape: [Int], dtype: DataType) -> OpDesc {
        let (fanIn, fanOut) = Self.fans(shape)
        let common: [String: Attribute] = ["shape": .longs(shape.map(Int64.init)), "dtype": .int(dtype.rawValue)]
        func make(_ type: String, _ attrs: [String: Attribute]) -> OpDesc {
            OpDesc(type: type, outputs: ["Out": [name]], attributes: common.merging(attrs) { _, new in new })
        }
        switch self {
        case .constant(let v):
            return make("fill_constant", ["value": .float(v), "str_value": .string("")])
        case .uniform(let low, let high):
            return make("uniform_random", ["min": .float(low), "max": .float(high), "seed": .int(0)])
        case .normal(let mean, let std):
            return make("gaussian_random", ["mean": .float(mean), "std": .float(std), "seed": .int(0)])
        case .truncatedNormal(let mean, let std):
            return make("truncated_gaussian_random", ["mean": .float(mean), "std": .float(std), "seed": .int(0)])
        case .xavier(let uniform):
            let total = Float(fanIn + fanOut)
            return uniform
                ? Initializer.uniform(low: -(6 / total).squareRoot(), high: (6 / total).squareRoot()).op(
                    for: name, shape: shape, dtype: dtype)
                : Initializer.normal(mean: 0, std: (2 / total).squareRoot()).op(for: name, shape: shape, dtype: dtype)
        case .msra(let uniform):
            let fan = Float(fanIn)
            return uniform
                ? Initializer.uniform(low: -(6 / fan).squareRoot(), high: (6 / fan).squareRoot()).op(
                    for: name, shape: shape, dtype: dtype)
                : Initializer.normal(mean: 0, std: (2 / fan).squareRoot()).op(for: name, shape: shape, dtype: dtype)
        }
    }
}
