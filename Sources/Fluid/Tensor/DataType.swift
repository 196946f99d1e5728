/// Element types, numbered as Paddle's `VarType.Type` so they cross the wire unchanged.
public enum DataType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case bool = 0
    case int16 = 1
    case int32 = 2
    case int64 = 3
    case float16 = 4
    case float32 = 5
    case float64 = 6
    case uint8 = 20
    case int8 = 21

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .uint8, .int8: 1
        case .int16, .float16: 2
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .uint8: "uint8"
        case .int8: "int8"
        }
    }
}

/// Swift element types that a tensor can be viewed as.
public protocol TensorElement: Sendable {
    static var dataType: DataType { get }
}

extension Float: TensorElement { public static var dataType: DataType { .float32 } }
extension Double: TensorElement { public static var dataType: DataType { .float64 } }
extension Int32: TensorElement { public static var dataType: DataType { .int32 } }
extension Int64: TensorElement { public static var dataType: DataType { .int64 } }
extension UInt8: TensorElement { public static var dataType: DataType { .uint8 } }
extension Int8: TensorElement { public static var dataType: DataType { .int8 } }
extension Int16: TensorElement { public static var dataType: DataType { .int16 } }
extension Bool: TensorElement { public static var dataType: DataType { .bool } }
