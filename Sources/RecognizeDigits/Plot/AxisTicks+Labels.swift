import Foundation

extension AxisTicks {
    /// The tick labels: as few digits as the step needs, trailing zeros dropped ("0", "500",
    /// "1000"; "0.05", "0.1", "0.15"), and powers of ten ("2e-4", "1.2e-3", "3e6") when the step is
    /// below 0.001 or at least a million.
    var labels: [String] { values.map { Self.label($0, step: step) } }

    static func label(_ value: Double, step: Double) -> String {
        guard value.isFinite, step.isFinite, step > 0 else { return "?" }
        if value == 0 { return "0" }
        let stepExponent = decimalExponent(step)
        let scaledLimit = 1e15
        if stepExponent >= -3, stepExponent < 6 {
            let decimals = max(0, -stepExponent)
            let scaled = (value * pow(10, Double(decimals))).rounded()
            if abs(scaled) < scaledLimit { return fixed(Int64(scaled), decimals: decimals) }
        }
        var exponent = decimalExponent(abs(value))
        var decimals = max(0, exponent - stepExponent)
        var mantissa = (value / pow(10, Double(exponent)) * pow(10, Double(decimals))).rounded()
        // 9.99e-4 shown with no decimals rounds to 10e-4: carry into the exponent.
        if abs(mantissa) >= 10 * pow(10, Double(decimals)) {
            exponent += 1
            decimals = max(0, exponent - stepExponent)
            mantissa = (value / pow(10, Double(exponent)) * pow(10, Double(decimals))).rounded()
        }
        guard abs(mantissa) < scaledLimit else { return "?" }
        return fixed(Int64(mantissa), decimals: decimals) + "e\(exponent)"
    }

    /// floor(log10(x)), forgiving rounding just below a power of ten (log10(0.001) may be -2.9999999).
    static func decimalExponent(_ x: Double) -> Int {
        let e = (log10(x) + 1e-9).rounded(.down)
        return e.isFinite ? Int(max(-400, min(400, e))) : 0
    }

    /// `scaled` / 10^decimals written out with trailing zeros (and a bare point) dropped.
    private static func fixed(_ scaled: Int64, decimals: Int) -> String {
        let digits = String(scaled.magnitude)
        var text: String
        if decimals == 0 {
            text = digits
        } else {
            let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
            let point = padded.index(padded.endIndex, offsetBy: -decimals)
            text = String(padded[..<point]) + "." + String(padded[point...])
            while text.last == "0" { text.removeLast() }
            if text.last == "." { text.removeLast() }
        }
        return scaled < 0 && text != "0" ? "-" + text : text
    }
}
