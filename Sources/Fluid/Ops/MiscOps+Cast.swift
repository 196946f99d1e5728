/// Element conversions for `cast`, as C++'s static_cast does them on x86 (what Paddle's kernel
/// compiles to): floats truncate toward zero, a NaN or out-of-range float gives the integer
/// type's minimum ("integer indefinite"), narrower integers wrap, bool is `!= 0`.
///
/// Integer sources convert through Int64 and float sources through Double, so every
/// conversion is exact wherever the target can hold the value.
protocol CastElement: TensorElement {
    static var isFloatingPoint: Bool { get }
    var castDouble: Double { get }
    var castInt64: Int64 { get }
    static func converted(_ value: Double) -> Self
    static func converted(_ value: Int64) -> Self
}

/// x86's cvttsd2si: truncation, with Int64.min for NaN and values out of range.
@inline(__always)
private func truncatedInt64(_ v: Double) -> Int64 {
    v >= -9.223_372_036_854_775_808e18 && v < 9.223_372_036_854_775_808e18 ? Int64(v) : .min
}

/// The 32-bit form: Int32.min for NaN and values out of range.
@inline(__always)
private func truncatedInt32(_ v: Double) -> Int32 {
    v > -2_147_483_649.0 && v < 2_147_483_648.0 ? Int32(v) : .min
}

extension Float: CastElement {
    static var isFloatingPoint: Bool { true }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { truncatedInt64(Double(self)) }
    static func converted(_ value: Double) -> Self { Float(value) }
    static func converted(_ value: Int64) -> Self { Float(value) }
}

extension Double: CastElement {
    static var isFloatingPoint: Bool { true }
    var castDouble: Double { self }
    var castInt64: Int64 { truncatedInt64(self) }
    static func converted(_ value: Double) -> Self { value }
    static func converted(_ value: Int64) -> Self { Double(value) }
}

extension Int32: CastElement {
    static var isFloatingPoint: Bool { false }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { Int64(self) }
    static func converted(_ value: Double) -> Self { truncatedInt32(value) }
    static func converted(_ value: Int64) -> Self { Int32(truncatingIfNeeded: value) }
}

extension Int64: CastElement {
    static var isFloatingPoint: Bool { false }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { self }
    static func converted(_ value: Double) -> Self { truncatedInt64(value) }
    static func converted(_ value: Int64) -> Self { value }
}

extension UInt8: CastElement {
    static var isFloatingPoint: Bool { false }
    var castDouble: Double { Double(self) }
    var castInt64: Int64 { Int64(self) }
    // Through a 32-bit integer, then wrapped, as x86 compilers emit it.
    static func converted(_ value: Double) -> Self { UInt8(truncatingIfNeeded: truncatedInt32(value)) }
    static func converted(_ value: Int64) -> Self { UInt8(truncatingIfNeeded: value) }
}

extension Bool: CastElement {
    static var isFloatingPoint: Bool { false }
    var castDouble: Double { self ? 1 : 0 }
    var castInt64: Int64 { self ? 1 : 0 }
    // NaN != 0 is true, as in C++.
    static func converted(_ value: Double) -> Self { !(value == 0) }
    static func converted(_ value: Int64) -> Self { value != 0 }
}

extension MiscOps {
    /// Converts `count` elements from `src` to `dst`.
    typealias CastFunction = (UnsafeRawPointer, UnsafeMutableRawPointer, Int) -> Void

    /// The conversion from `source` to `target`, or nil when either type is not supported.
    static func castElements(from source: DataType, to target: DataType) -> CastFunction? {
        switch source {
        case .float32: castElements(Float.self, to: target)
        case .float64: castElements(Double.self, to: target)
        case .int32: castElements(Int32.self, to: target)
        case .int64: castElements(Int64.self, to: target)
        case .uint8: castElements(UInt8.self, to: target)
        case .bool: castElements(Bool.self, to: target)
        default: nil
        }
    }

    private static func castElements<S: CastElement>(_ source: S.Type, to target: DataType) -> CastFunction? {
        switch target {
        case .float32: { convert($0, S.self, $1, Float.self, $2) }
        case .float64: { convert($0, S.self, $1, Double.self, $2) }
        case .int32: { convert($0, S.self, $1, Int32.self, $2) }
        case .int64: { convert($0, S.self, $1, Int64.self, $2) }
        case .uint8: { convert($0, S.self, $1, UInt8.self, $2) }
        case .bool: { convert($0, S.self, $1, Bool.self, $2) }
        default: nil
        }
    }

    @inline(__always)
    private static func convert<S: CastElement, D: CastElement>(
        _ src: UnsafeRawPointer, _: S.Type,
        _ dst: UnsafeMutableRawPointer, _: D.Type, _ n: Int
    ) {
        let s = src.assumingMemoryBound(to: S.self)
        let d = dst.assumingMemoryBound(to: D.self)
        if S.isFloatingPoint {
            for i in 0..<n { d[i] = D.converted(s[i].castDouble) }
        } else {
            for i in 0..<n { d[i] = D.converted(s[i].castInt64) }
        }
    }
}
