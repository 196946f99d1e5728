import FluidTestSupport
import Foundation
import Testing

@testable import FluidData

/// Ancillary chunks whose length field claims more than the file holds, or more than
/// FluidLimits.maxPNGChunkBytes, are refused before libpng allocates a buffer for them.
@Suite struct PNGChunkLimitTests {
    let directory: TemporaryDirectory
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    init() throws { directory = try TemporaryDirectory() }

    /// A 4 x 3 gray image with `extra` chunks between IHDR and IDAT.
    static func image(extra: [UInt8] = []) -> [UInt8] {
        signature
            + TestPNGEncoder.chunk("IHDR", TestPNGEncoder.header(width: 4, height: 3, bitDepth: 8, colorType: 0))
            + extra
            + TestPNGEncoder.chunk(
                "IDAT", TestPNGEncoder.deflate((0..<3).flatMap { y in [0] + (0..<4).map { UInt8(y * 4 + $0) } }))
            + TestPNGEncoder.chunk("IEND", [])
    }

    func expectRefused(_ bytes: [UInt8], name: String, mentioning words: [String]) throws {
        let path = try directory.write(name, bytes)
        #expect {
            _ = try DecodedPNG(contentsOf: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && words.allSatisfy { text.contains($0) }
        }
    }

    /// About 40 bytes: signature, IHDR with a correct CRC, then a chunk header claiming
    /// 0x7FFFFFFF bytes of which a dozen follow. libpng used to allocate and zero 2 GiB for it.
    @Test(arguments: ["tEXt", "zTXt", "iTXt", "sPLT"])
    func chunkClaimingTwoGibibytesIsRefusedWithoutAllocating(type: String) throws {
        let bomb =
            Self.signature
            + TestPNGEncoder.chunk("IHDR", TestPNGEncoder.header(width: 4, height: 3, bitDepth: 8, colorType: 0))
            + TestPNGEncoder.bigEndian(0x7FFF_FFFF) + Array(type.utf8) + Array("Comment\0bomb".utf8)
        let residentBefore = ProcessMemory.peakResidentBytes
        let virtualBefore = ProcessMemory.peakVirtualBytes
        let started = ContinuousClock.now
        try expectRefused(bomb, name: "bomb-\(type).png", mentioning: [type, "2147483647", "truncated"])
        let grown = ProcessMemory.peakResidentBytes - residentBefore
        let reserved = ProcessMemory.peakVirtualBytes - virtualBefore
        #expect(grown < 512 << 20, "peak RSS grew by \(grown >> 20) MiB while refusing the \(type) bomb")
        #expect(reserved < 1 << 30, "peak virtual size grew by \(reserved >> 20) MiB while refusing the \(type) bomb")
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func textChunkAboveTheChunkLimitIsRefusedNamingTheLimit() throws {
        let text = Array("Comment\0".utf8) + [UInt8](repeating: 0x41, count: 9_000_000)
        try expectRefused(
            Self.image(extra: TestPNGEncoder.chunk("tEXt", text)), name: "big-text.png",
            mentioning: ["tEXt", "FluidLimits.maxPNGChunkBytes"])
    }

    /// The decoded size is bounded on its own, for when the pixel limit is raised: 12 gray
    /// samples against a limit of 11 bytes.
    @Test func decodedBytesAboveTheLimitAreRefused() throws {
        var limits = DecodedPNG.Limits()
        limits.decodedBytes = 11
        #expect(
            throws: DataError.limitExceeded(
                path: "small.png", problem: "its 4 x 3 pixels of 1 channels decode to 12 bytes",
                limit: .maxImageBytes, value: 11)
        ) {
            _ = try DecodedPNG(data: Self.image(), path: "small.png", limits: limits)
        }
        limits.decodedBytes = 12
        #expect(try DecodedPNG(data: Self.image(), path: "small.png", limits: limits).samples == Array(0..<12))
    }

    @Test func smallTextChunksStillDecode() throws {
        let extra =
            TestPNGEncoder.chunk("tEXt", Array("Comment\0a small note".utf8))
            + TestPNGEncoder.chunk("tEXt", Array("Author\0".utf8) + [UInt8](repeating: 0x42, count: 100_000))
        let path = try directory.write("small-text.png", Self.image(extra: extra))
        let png = try DecodedPNG(contentsOf: path)
        #expect(png.width == 4 && png.height == 3 && png.samples == Array(0..<12))
    }
}
