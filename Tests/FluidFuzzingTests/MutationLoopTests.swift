import Foundation
import Testing

@testable import FluidFuzzing

/// The fuzz targets' entry points over their seeds and a few thousand deterministic mutations
/// of them. A crash or trap fails the run; every seed must be accepted (the seeds are real files)
/// and every refusal must say what is wrong in a sentence that names its input.
@Suite struct MutationLoopTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func seeds(_ target: FuzzTarget) throws -> [[UInt8]] {
        try target.seedFiles(repository: repository).map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedIsAccepted(target: FuzzTarget) throws {
        let seeds = try Self.seeds(target)
        #expect(!seeds.isEmpty)
        for (i, seed) in seeds.enumerated() {
            #expect(target.run(seed) == .accepted, "seed \(target.seedFiles(repository: Self.repository)[i])")
        }
    }

    /// Cases per target: about 16,000 in all, seconds in a debug build.
    static let casesPerTarget: [FuzzTarget: Int] = [
        .programDesc: 5000, .inferenceModel: 1500, .tensorStream: 1500, .idx: 3000, .png: 5000,
    ]

    @Test(arguments: FuzzTarget.allCases)
    func mutatedSeedsAreAcceptedOrRefusedWithAMessage(target: FuzzTarget) throws {
        let seeds = try Self.seeds(target)
        var mutator = InputMutator(seed: 2026)
        var refused = 0
        for i in 0..<(Self.casesPerTarget[target] ?? 0) {
            let input = mutator.mutate(seeds[i % seeds.count])
            if case .refused(let message) = target.run(input) {
                refused += 1
                #expect(message.count >= 20 && !message.contains("Error Domain"), "case \(i): \(message)")
                #expect(message.contains("fuzz"), "case \(i) does not name its input: \(message)")
            }
        }
        // The mutations must reach the parsers' checks, not just pass through them.
        #expect(refused > 0)
    }

    /// Inputs libFuzzer found bugs with (Tests/Fixtures/fuzz/regressions/TARGET/), each refused
    /// with a message now. Under `Tools/fuzz`'s sanitizers they also run leak-free.
    @Test(arguments: FuzzTarget.allCases)
    func foundInputsAreRefusedCleanly(target: FuzzTarget) throws {
        let directory = Self.repository + "/Tests/Fixtures/fuzz/regressions/" + target.rawValue
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() {
            let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            guard case .refused(let message) = target.run(input) else {
                Issue.record("\(target.rawValue)/\(name) must be refused")
                continue
            }
            #expect(message.contains("fuzz"), "\(name): \(message)")
        }
    }

    @Test func theMutatorIsDeterministicAndChangesItsInput() {
        var a = InputMutator(seed: 7)
        var b = InputMutator(seed: 7)
        let seed = [UInt8](repeating: 0x42, count: 100)
        let first = (0..<50).map { _ in a.mutate(seed) }
        #expect(first == (0..<50).map { _ in b.mutate(seed) })
        #expect(first.filter { $0 != seed }.count >= 45)
    }
}
