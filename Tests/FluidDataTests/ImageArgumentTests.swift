import Fluid
import FluidData
import FluidTestSupport
import Testing

/// Image sizes and dataset indices that used to trap (precondition, overflow).
@Suite struct ImageArgumentTests {
    @Test func datasetSubscriptsOutOfRangeThrow() throws {
        let ds = try ImageDataset(name: "tiny", rows: 2, columns: 2, pixels: [1, 2, 3, 4], labels: [7])
        #expect(try ds[0].label == 7)
        for index in [-1, 1, Int.max] {
            #expect(throws: DataError.indexOutOfRange(dataset: "tiny", index: index, count: 1)) { try ds[index] }
        }
        #expect(throws: DataError.indexOutOfRange(dataset: "tiny", index: 5, count: 1)) {
            try LabeledImage(dataset: ds, index: 5)
        }
    }

    @Test func grayImageSidesThatOverflowThrow() {
        #expect(throws: DataError.self) { try GrayImage(width: Int.max, height: 2, pixels: [0, 0]) }
        #expect(throws: DataError.self) { try GrayImage(width: Int.max, height: Int.max, pixels: []) }
    }

    @Test(arguments: [0, -1, GrayImage.maximumSide + 1])
    func resizeToAnInvalidSideThrows(side: Int) throws {
        let image = try GrayImage(width: 2, height: 2, pixels: [0, 64, 128, 255])
        #expect(throws: DataError.invalidImageSize(width: side, height: 3, limit: GrayImage.maximumSide)) {
            try image.resized(width: side, height: 3)
        }
    }

    @Test(arguments: [0, -1])
    func digitImageSideMustBePositive(side: Int) throws {
        let directory = try TemporaryDirectory()
        let image = try GrayImage(width: 2, height: 2, pixels: [0, 64, 128, 255])
        let path = directory.file("d.png")
        try image.writePNG(to: path)
        #expect(throws: DataError.invalidImageSize(width: side, height: side, limit: GrayImage.maximumSide)) {
            try DigitImage.tensor(contentsOfPNG: path, side: side)
        }
    }
}
