import Testing

@testable import Fluid

/// The limits policy itself: defaults, names, the wording every refusal ends with. Tests never
/// lower a limit, since other tests in the process load files concurrently.
@Suite struct LimitsTests {
    @Test func defaultsAreTheDocumentedValues() {
        #expect(FluidLimits.Limit.maxTensorElements.defaultValue == 1 << 30)
        #expect(FluidLimits.Limit.maxTensorBytes.defaultValue == 2 << 30)
        #expect(FluidLimits.Limit.maxImageSide.defaultValue == 16384)
        #expect(FluidLimits.Limit.maxImagePixels.defaultValue == 16384 * 16384 / 4)
        #expect(FluidLimits.Limit.maxImageBytes.defaultValue == 256 << 20)
        #expect(FluidLimits.Limit.maxImageFileBytes.defaultValue == 512 << 20)
        #expect(FluidLimits.Limit.maxPNGChunkBytes.defaultValue == 8 << 20)
        #expect(FluidLimits.Limit.maxIDXBytes.defaultValue == 1 << 30)
        #expect(FluidLimits.Limit.maxModelBytes.defaultValue == 256 << 20)
        #expect(FluidLimits.Limit.maxParameterFileBytes.defaultValue == 4 << 30)
    }

    @Test func refusalNamesTheLimitItsValueAndHowToRaiseIt() {
        #expect(
            FluidLimits.refusal(.maxTensorBytes, value: 2 << 30)
                == "FluidLimits.maxTensorBytes (2 GiB); raise it with `FluidLimits.maxTensorBytes = <bytes>` to load a file you trust"
        )
        #expect(
            FluidLimits.refusal(.maxImageSide, value: 16384).hasPrefix(
                "FluidLimits.maxImageSide (16384); raise it with `FluidLimits.maxImageSide = <count>`"))
        #expect(FluidLimits.formatted(8 << 20, bytes: true) == "8 MiB")
        #expect(FluidLimits.formatted(1000, bytes: true) == "1000 bytes")
    }

    /// Raising a limit (which no other test depends on) is seen by the next read, from any thread.
    @Test func raisedLimitIsReadBack() async {
        let original = FluidLimits.maxImageFileBytes
        defer { FluidLimits.maxImageFileBytes = original }
        FluidLimits.maxImageFileBytes = original + 4096
        let seen = await Task.detached { FluidLimits.maxImageFileBytes }.value
        #expect(seen == original + 4096)
        #expect(FluidLimits.value(of: .maxImageFileBytes) == original + 4096)
    }
}
