import Testing

@testable import Fluid

/// Tensors built from user data, element-count bounds in shape inference and executor block
/// indices: each used to trap.
@Suite struct TensorValidationTests {
    private func isInvalidTensor(_ error: any Error) -> Bool {
        if case .invalidTensor? = error as? FluidError { return true }
        return false
    }

    @Test func initializersValidateShapeAndScalarCount() {
        #expect(performing: { try Tensor(shape: [-1, 2], scalars: [1, 2] as [Float]) }, throws: isInvalidTensor)
        #expect(performing: { try Tensor(shape: [2, 2], scalars: [1, 2, 3] as [Float]) }, throws: isInvalidTensor)
        #expect(performing: { try Tensor(dtype: .float32, shape: [-3]) }, throws: isInvalidTensor)
        #expect(performing: { try Tensor(dtype: .int8, shape: [1 << 40, 1 << 40]) }, throws: isInvalidTensor)
    }

    @Test func typedAccessorsCheckTheDType() throws {
        let t = try Tensor(shape: [2], scalars: [1, 2] as [Int64])
        #expect(performing: { try t.floatPointer() }, throws: isInvalidTensor)
        #expect(performing: { try t.scalars(as: Float.self) }, throws: isInvalidTensor)
        #expect(performing: { try t.scalar(as: Double.self) }, throws: isInvalidTensor)
        #expect(try t.scalars(as: Int64.self) == [1, 2])
    }

    @Test func lodIsValidatedAgainstTheShape() throws {
        let t = try Tensor(shape: [3, 1], scalars: [1, 2, 3] as [Float])
        for bad in [[[0, 2, 1, 3]], [[1, 3]], [[0, 1, 4]], [[0]], [[0, 1], [0, 1, 3]]] {
            #expect(performing: { try t.setLoD(bad) }, throws: isInvalidTensor)
        }
        try t.setLoD([[0, 2], [0, 1, 3]])
        #expect(t.lod == [[0, 2], [0, 1, 3]])
    }

    /// fill_constant of [1 << 40] failed to allocate; [1 << 40, 1 << 40] overflowed the count.
    @Test(arguments: [[Int64(1) << 40], [Int64(1) << 40, Int64(1) << 40]])
    func fillConstantShapesAreBoundedBeforeAllocation(shape: [Int64]) throws {
        let program = Program()
        let op = OpDesc(type: "fill_constant", outputs: ["Out": ["big"]], attributes: ["shape": .longs(shape)])
        #expect(
            throws: FluidError.tensorTooLarge(
                op: "fill_constant", slot: "Out", variable: "big", shape: shape.map { Int($0) })
        ) {
            try program.globalBlock.appendInferred(op)
        }
        program.globalBlock.appendOp(op)  // as a loaded file would hold it: the plan compiler checks too
        #expect(
            performing: { try Executor().run(program, scope: Scope()) },
            throws: { error in
                if case .tensorTooLarge? = error as? FluidError { return true }
                return false
            })
    }

    @Test func feedTargetsOfAMissingBlockThrows() {
        let program = Program()
        #expect(throws: FluidError.program("Block 3 does not exist: the program has 1 block(s).")) {
            try Executor().feedTargets(of: program, block: 3)
        }
        #expect(throws: FluidError.program("Block -1 does not exist: the program has 1 block(s).")) {
            try Executor().run(program, block: -1, scope: Scope())
        }
    }

    /// A resize to a negative or oversized shape throws and leaves the tensor as it was.
    @Test func resizeRefusesBadShapesAndKeepsTheTensor() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float])
        #expect(throws: FluidError.self) { try t.resize([-1, 3]) }
        #expect(throws: FluidError.self) { try t.resize([1 << 40, 1 << 40]) }
        #expect(t.shape == [2, 3])
        #expect(try t.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
    }
}
