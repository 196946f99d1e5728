import Testing

@testable import Fluid

@Suite struct TensorTests {
    @Test func storageIsAlignedAndReusedWhenShrinking() throws {
        let t = try Tensor(dtype: .float32, shape: [64, 784])
        #expect(Int(bitPattern: t.rawPointer) % 64 == 0)
        let pointer = t.rawPointer
        #expect(try t.resize([32, 784]) == false)
        #expect(t.rawPointer == pointer)
        #expect(t.count == 32 * 784)
        #expect(try t.resize([64, 784]) == false, "growing back within capacity must not allocate")
        #expect(try t.resize([65, 784]) == true)
        #expect(t.capacity >= 65 * 784 * 4)
    }

    @Test func dtypesHaveTheirSizesAndPaddleCodes() {
        #expect(DataType.float32.size == 4 && DataType.float32.rawValue == 5)
        #expect(DataType.int64.size == 8 && DataType.int64.rawValue == 3)
        #expect(DataType.float64.size == 8 && DataType.float64.rawValue == 6)
        #expect(DataType.uint8.size == 1 && DataType.uint8.rawValue == 20)
        #expect(DataType.bool.size == 1 && DataType.bool.rawValue == 0)
        #expect(DataType.int32.size == 4 && DataType.int32.rawValue == 2)
    }

    @Test func scalarsRoundTripAndLoDIsCarried() throws {
        let t = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Int64])
        try t.setLoD([[0, 1, 2]])
        let c = t.clone()
        #expect(try c.scalars(as: Int64.self) == [1, 2, 3, 4])
        #expect(c.lod == [[0, 1, 2]])
        #expect(c.dtype == .int64 && c.shape == [2, 2])
        t.pointer(as: Int64.self)[0] = 9
        #expect(try c.scalars(as: Int64.self)[0] == 1, "clone must not share storage")
    }
}
