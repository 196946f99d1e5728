import Testing

@testable import Fluid

@Suite struct FillOpsTests {
    private func fill(_ attributes: [String: Attribute]) throws -> Tensor {
        try OpTest("fill_constant", inputs: [:], attributes: attributes, outputs: ["Out"]).output("Out")
    }

    @Test func float32Value() throws {
        let out = try fill(["shape": .longs([2, 3]), "value": .float(0.25)])
        #expect(out.dtype == .float32 && out.shape == [2, 3])
        #expect(try out.scalars(as: Float.self) == [Float](repeating: 0.25, count: 6))
    }

    @Test func defaultsAreAZeroFloat32Scalar() throws {
        let out = try fill([:])
        #expect(try out.dtype == .float32 && out.shape == [] && out.scalars(as: Float.self) == [0])
    }

    @Test func int64Value() throws {
        let out = try fill(["shape": .longs([4]), "value": .float(-7), "dtype": .int(DataType.int64.rawValue)])
        #expect(out.dtype == .int64 && out.shape == [4])
        #expect(try out.scalars(as: Int64.self) == [-7, -7, -7, -7])
    }

    // str_value holds values a float attribute cannot: large integers exactly, inf.
    @Test func strValueWins() throws {
        let big = try fill([
            "shape": .ints([2]), "value": .float(1), "str_value": .string("9007199254740993"),
            "dtype": .int(DataType.int64.rawValue),
        ])
        // Paddle parses an int64 str_value as an integer; FillOps goes through Double and rounds.
        #expect(try big.scalars(as: Int64.self) == [9_007_199_254_740_993, 9_007_199_254_740_993])
        let exact = try fill([
            "shape": .ints([1]), "value": .float(1), "str_value": .string("123456789"),
            "dtype": .int(DataType.int64.rawValue),
        ])
        #expect(try exact.scalars(as: Int64.self) == [123_456_789])
        let inf = try fill(["shape": .longs([1]), "str_value": .string("-inf")])
        #expect(try inf.scalars(as: Float.self) == [-.infinity])
        let decimal = try fill(["shape": .longs([2]), "value": .float(5), "str_value": .string("1.5")])
        #expect(try decimal.scalars(as: Float.self) == [1.5, 1.5])
    }

    @Test func badStrValueIsAnError() {
        var message = ""
        do { _ = try fill(["shape": .longs([1]), "str_value": .string("one")]) } catch { message = "\(error)" }
        #expect(
            message.contains("fill_constant") && message.contains("str_value") && message.contains("one"), "\(message)")
    }
}
