import Fluid
import FluidData

/// Deterministic mutations of a seed input, the kinds libFuzzer starts with: bit flips,
/// bytes set to boundary values, 32-bit fields set to boundary values (lengths, counts and
/// dimensions in headers), truncation, removed, repeated and inserted ranges. The same seed
/// and generator give the same inputs on every machine, so the test suite's loop is a
/// reproducible regression run.
public struct InputMutator {
    private var generator: SeededGenerator

    public init(seed: Int) {
        generator = SeededGenerator(seed: seed)
    }

    private static let boundaryBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]
    private static let boundaryWords: [UInt32] = [
        0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 5_000_000,
    ]

    /// `seed` with one to four mutations applied.
    public mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + generator.next(below: 4)) { mutateOnce(&bytes) }
        return bytes
    }

    private mutating func index(_ count: Int) -> Int { count > 0 ? Int(generator.next(below: count)) : 0 }

    private mutating func mutateOnce(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else {
            bytes = [Self.boundaryBytes[index(Self.boundaryBytes.count)]]
            return
        }
        let at = index(bytes.count)
        switch generator.next(below: 7) {
        case 0:
            bytes[at] ^= 1 << UInt8(index(8))
        case 1:
            bytes[at] = Self.boundaryBytes[index(Self.boundaryBytes.count)]
        case 2:
            // A big-endian or little-endian 32-bit field: IDX headers are the one, tensor streams the other.
            let word = Self.boundaryWords[index(Self.boundaryWords.count)]
            let littleEndian = generator.next(below: 2) == 0
            for k in 0..<4 where at + k < bytes.count {
                let shift = littleEndian ? 8 * k : 24 - 8 * k
                bytes[at + k] = UInt8(truncatingIfNeeded: word >> UInt32(shift))
            }
        case 3:
            bytes.removeSubrange(at...)
        case 4:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + index(16)))
        case 5:
            let range = at..<min(bytes.count, at + 1 + index(64))
            bytes.insert(contentsOf: bytes[range], at: index(bytes.count + 1))
        default:
            let inserted = (0..<(1 + index(8))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            bytes.insert(contentsOf: inserted, at: index(bytes.count + 1))
        }
    }
}
