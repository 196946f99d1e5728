import Foundation
import Testing

@testable import Fluid

/// The thread limit changes how many workers run a kernel's pieces, never the pieces, so results
/// are identical.
@Suite(.serialized) struct ThreadCountTests {
    @Test func oneThreadOrAllGiveTheSameConvolution() throws {
        var generator = SeededGenerator(seed: 7)
        func random(_ shape: [Int]) throws -> Tensor {
            try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextUnit()) - 0.5 })
        }
        // Large enough (8 x 16 x 24 x 24 in, 32 filters) for the kernels to split over threads.
        let test = try OpTest(
            "conv2d", inputs: ["Input": random([8, 16, 24, 24]), "Filter": random([32, 16, 3, 3])],
            attributes: [
                "strides": .ints([1, 1]), "paddings": .ints([1, 1]), "dilations": .ints([1, 1]), "groups": .int(1),
            ],
            outputs: ["Output"])
        let all = ProcessInfo.processInfo.activeProcessorCount
        defer { ProcessSetup.setThreadCount(all) }
        ProcessSetup.setThreadCount(1)
        #expect(ProcessSetup.threadCount == 1)
        let serial = try test.output("Output")
        ProcessSetup.setThreadCount(0)  // clamped to 1
        #expect(ProcessSetup.threadCount == 1)
        ProcessSetup.setThreadCount(all)
        #expect(ProcessSetup.threadCount == all)
        let parallel = try test.output("Output")
        #expect(serial.shape == [8, 32, 24, 24])
        #expect(try serial.scalars(as: Float.self) == parallel.scalars(as: Float.self))
    }
}
