import FluidData
import Testing

/// Lanczos resizing as PIL's resize(size, ANTIALIAS); reference bytes from Pillow 13.
@Suite struct ResizeTests {
    static func image(_ width: Int, _ height: Int, _ f: (Int, Int) -> Int) throws -> GrayImage {
        try GrayImage(
            width: width, height: height,
            pixels: (0..<height).flatMap { y in (0..<width).map { x in UInt8(f(x, y) & 255) } })
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    static func sums(_ image: GrayImage) -> (Int, Int) {
        (
            image.pixels.reduce(0) { $0 + Int($1) },
            image.pixels.enumerated().reduce(0) { $0 + $1.offset * Int($1.element) }
        )
    }

    static func patternA(_ x: Int, _ y: Int) -> Int { x * 7 + y * 13 + (x * y) % 11 }

    @Test(arguments: [(100, 80), (28, 28), (5, 7), (1000, 3), (29, 28)])
    func constantImageStaysConstant(width: Int, height: Int) throws {
        for value in [0, 1, 128, 254, 255] {
            let resized = try Self.image(width, height) { _, _ in value }.resized(width: 28, height: 28)
            #expect(resized.width == 28 && resized.height == 28)
            #expect(resized.pixels.allSatisfy { Int($0) == value }, "\(width) x \(height) of \(value)")
        }
    }

    @Test func sameSizeIsUnchanged() throws {
        let image = try Self.image(28, 28, Self.patternA)
        #expect(try image.resized(width: 28, height: 28) == image)
    }

    @Test func downscaleMatchesPIL() throws {
        let resized = try Self.image(57, 43, Self.patternA).resized(width: 28, height: 28)
        #expect(resized.pixels == Self.bytes(hex: Self.referenceA))
    }

    @Test func upscaleMatchesPIL() throws {
        let resized = try Self.image(9, 6) { x, y in (x * 40 + y * 25) % 256 }.resized(width: 28, height: 28)
        #expect(resized.pixels == Self.bytes(hex: Self.referenceB))
    }

    @Test func otherShapesMatchPILChecksums() throws {
        let a = try Self.image(57, 43, Self.patternA)
        let c = try Self.image(300, 200) { x, y in (x * x + 3 * y * y + x * y * 5) % 256 }
        #expect(try Self.sums(c.resized(width: 28, height: 28)) == (99646, 38_916_617))
        #expect(try Self.sums(a.resized(width: 20, height: 35)) == (88502, 30_757_415))
        #expect(try Self.sums(a.resized(width: 57, height: 28)) == (201702, 160_005_713))
        #expect(try Self.sums(a.resized(width: 28, height: 43)) == (152130, 91_005_425))
    }

    // Pillow 13: Image.new('L', ...) filled with the pattern, .resize((28, 28), Image.LANCZOS).
    static let referenceA = """
        0816253444505d6c7b8b99a4b3c3cce6ffba2212293541505f6e7d881c2e3f4a5c66738692a1b1b9cad4ffc44d141b303f4c56697784969d31\
        4351606e7a8a98a7b6c3cae4ffba2500293643525e6d7c8b99a7b346576573828d9eacbac8cffdc03f1114303b4957667181909eacbbc55a6b\
        798796a1b1c1cddffab4240026353d4f5d6b7a8694a5b2c1cedd6f7f8e9baab5c6d0e6e7b904133038455263717f8e99aab8c5d0e5e98595a0\
        b0bbc8dbf6f2270024343c4d56667a8494a0abc1c9dcf6fe5094a3b1bfcbdcebd35e012831404e5c6b788795a3b2c0c8eae5c33a0aa7b9c9d3\
        f1ff9800182f3d44576673858d9caebacbd1f5ca3b011b2bbdccdeffad26162335414e5a6c798896a1b3c1ccddfecd20052b343ecdecef5e00\
        102939465560707f8d9caab6c6d0eff67b07162f384652f4e75b00272f3e4c5a69768394a1b0bfc8dafdc5330020323e4d5b66a6240a2d3540\
        51606d7c8997a7b6c3cfe0f279040f2a3644525f6e7b0b18313c4854697483919aaebdc8d7edeb2f002130374c5866757f9021333d4b596777\
        8593a0aebdcbd8eaf1580028303d4b5b69778492a133435562747e899ba9b9c8cfe4ff95091628384557636d7f8e9caeb5485b69778691a0b0\
        beccd8e8e475101e2f3e4d5b69768395a2b0bfc95e6e7d8b9aa4b6c4cedcff95021126374152606f7e8899a8b6c5cfdf7182909fadb9c8d2fd\
        e339151a303c4a55667483919dacbcc9d4f2f08696a6b2c2cbdffcb66e042235424e5e697a8996a5b1c1cfdefccd479cacb8c8d0e5e8bb0d08\
        2c3a4855656f7e909bacb9c3d4e6e641160dadbdc8d4f0f22e002131384a5a66748090a1aebbc8d1f1ff53001d31becae0ff6d1e0f29354454\
        5b6c7c8a9ca4b1c3cee1ffcd3d0f2b3a40d2f5ee6906162e3d4a58677184919faeb9cad4f2fc870b15303c4b55f3b621032732424f5e6d7887\
        97a4b4c1cbddffce3b00253642505e6a9f00162f3944556371808d9aabb8c7d3e3f9820a112e39475564727d1122343e4d5969798594a1afc0\
        ced8f2f2330221343d4c5c6a77869327374353606b7e8a9aa9b2c4d2def5d33b0e2c38454f626e7d8d97a6
        """
    static let referenceB = """
        0000041222323f4a5563717c8b98a0a3b0d6ffffffbb530e06213e4f000005132333404b5664727d8c99a2a8b5d5fffffaad4e100b243f4f00\
        0007152535424d5866747f8d9aa6aebbd4f1fade9947141129415003040b19293946515c6a78828f9daab6c2d0dcd6b77f3d181a2f44510608\
        0f1d2d3d4a55606e7c8793a0b1c1cbcbc0a8855c311f263849540b0f16243444515c6774828d98a5b9ced7c7a2744c35242835434f5711161d\
        2b3b4b58636e7b89949dabc3dfe7c98a4416101832444f565c171c233141515e697483909aa1afcdf1fbd580250000103a51595c601d222937\
        4757646f7b89979fa3b0d3ffffe7861e00000f415a60626622282f3d4d5d6a7580909da3a4b1d7fffff7952b000015465f66686b272d344252\
        626f7a8595a2a8aab6dafffffaa13d00001f4b62696d712c3138465666737e8998a6afb5c3e0ffffeb9e4a150e2a4e646c717631363d4b5b6b\
        78838d99a8b8c8d8e9f4e4c88a4b251f35526670767b373c435161717e89929babc3def0f1dfb7936642302e3f576a757c813d414856667784\
        8f979fafcef1fff2c384583c34373c495d6e7b818742474e5c6c7c8a949da4b4d5faffe6a2542419283d4952627380878c474c536171818e99\
        a3abbad6f3f5cc7e2f0305244352596777858c914b5057657585919caab6c2d2ddcfa35a1700022648595f6b7b89909550555c6a7a8994a0b3\
        c4cccbbb9a70380c000d2e4c5c63707f8e959a565b6270808e97a5bdd3d8c2955f3a1a0d12223a505e687585939ba05c61687686949baac6e2\
        e3bc752f0f06142b3a4754606c7c8c9aa1a662676e7c8c9aa1b0cfededbb651300001e3f4e525a64728293a0a7ac696e758393a1a8b7d7f6f4\
        c0630e0000254a585b606a79899aa7aeb370757c8a9aa7aebdddfbfac66b170001294e5d6067717f90a0aeb5ba7479808e9eacb3c2e1fefdcd\
        772601092d4e5e646c778494a4b2b9be787d8492a2b0b7c6e4ffffd382350d12314f5e66707b8898a8b6bdc27a7f8694a4b2b9c8e5ffffd78b\
        40171935505f67727d8a9aaab8bfc47b808795a5b4bbcae7ffffda8f461c1d38516069747f8c9babb9c0c5
        """
}
