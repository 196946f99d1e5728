/// An op attribute value, one case per Paddle `AttrType`.
public enum Attribute: Equatable, Sendable, CustomStringConvertible {
    case int(Int32)
    case float(Float)
    case string(String)
    case ints([Int32])
    case floats([Float])
    case strings([String])
    case bool(Bool)
    case bools([Bool])
    case block(Int32)
    case long(Int64)
    case blocks([Int32])
    case longs([Int64])
    case float64s([Double])
    case float64(Double)
    /// VAR: the name of a variable the op reads as an attribute.
    case variable(String)
    /// VARS: names of variables.
    case variables([String])
    /// SCALAR: a typed scalar (Paddle's `paddle::experimental::Scalar`).
    case scalar(ScalarValue)
    case scalars([ScalarValue])

    /// Integer value of an int or long attribute.
    public var intValue: Int? {
        switch self {
        case .int(let v): Int(v)
        case .long(let v): Int(v)
        case .bool(let v): v ? 1 : 0
        case .scalar(.long(let v)): Int(exactly: v)
        default: nil
        }
    }

    /// Float value of a float, float64 or integer attribute.
    public var floatValue: Float? {
        switch self {
        case .float(let v): v
        case .float64(let v): Float(v)
        case .scalar(let v): v.doubleValue.map(Float.init)
        case .int(let v): Float(v)
        case .long(let v): Float(v)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float64(let v): v
        case .scalar(let v): v.doubleValue
        case .float(let v): Double(v)
        case .int(let v): Double(v)
        case .long(let v): Double(v)
        default: nil
        }
    }

    /// Integer list of an ints or longs attribute.
    public var intsValue: [Int]? {
        switch self {
        case .ints(let v): v.map(Int.init)
        case .longs(let v): v.map(Int.init)
        default: nil
        }
    }

    public var floatsValue: [Float]? {
        switch self {
        case .floats(let v): v
        case .float64s(let v): v.map(Float.init)
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .ints(let v): "\(v)"
        case .floats(let v): "\(v)"
        case .strings(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .bools(let v): "\(v)"
        case .block(let v): "block\(v)"
        case .long(let v): "\(v)"
        case .blocks(let v): "blocks\(v)"
        case .longs(let v): "\(v)"
        case .float64s(let v): "\(v)"
        case .float64(let v): "\(v)"
        case .variable(let v): "var \(v)"
        case .variables(let v): "vars \(v)"
        case .scalar(let v): "\(v)"
        case .scalars(let v): "\(v)"
        }
    }
}

/// The value of a SCALAR attribute, with the type it was written with.
public enum ScalarValue: Equatable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case long(Int64)
    case float64(Double)
    case complex128(real: Double, imaginary: Double)

    public var doubleValue: Double? {
        switch self {
        case .bool(let v): v ? 1 : 0
        case .long(let v): Double(v)
        case .float64(let v): v
        case .complex128: nil
        }
    }

    public var description: String {
        switch self {
        case .bool(let v): "\(v)"
        case .long(let v): "\(v)"
        case .float64(let v): "\(v)"
        case .complex128(let r, let i): "(\(r)+\(i)i)"
        }
    }
}
