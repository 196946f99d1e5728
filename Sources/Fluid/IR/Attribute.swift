/// An op attribute value, one case per Paddle `AttrType` that SwiftFluid reads or writes.
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

    /// Integer value of an int or long attribute.
    public var intValue: Int? {
        switch self {
        case .int(let v): Int(v)
        case .long(let v): Int(v)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    /// Float value of a float, float64 or integer attribute.
    public var floatValue: Float? {
        switch self {
        case .float(let v): v
        case .float64(let v): Float(v)
        case .int(let v): Float(v)
        case .long(let v): Float(v)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float64(let v): v
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
        }
    }
}
