import Fluid

/// An IDX file opened with its header read and checked, its element data not yet read. A
/// dataset opens its image and label files this way to check them against each other before
/// it decompresses the bulk of either.
struct IDXStream {
    let path: String
    let elementType: IDXFile.ElementType
    let dimensions: [Int]
    /// Magic plus one UInt32 per dimension.
    let headerBytes: Int
    /// The element bytes the header claims.
    let dataBytes: Int
    private let reader: GzipFileReader

    /// Opens `path` and reads its header; nothing is allocated for the data it claims.
    init(path: String) throws {
        let reader = try GzipFileReader(path: path)
        let magic = try reader.readExactly(4, part: "magic number", offset: 0)
        guard magic[0] == 0, magic[1] == 0 else {
            let hex = magic.map { "0x" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }
            throw DataError.invalidFile(
                path: path,
                problem:
                    "it is not an IDX file: it starts with \(hex.joined(separator: " ")), expected 0x00 0x00 then a type byte and a rank"
            )
        }
        guard let elementType = IDXFile.ElementType(rawValue: magic[2]) else {
            throw DataError.invalidFile(
                path: path,
                problem:
                    "its IDX element type byte is 0x\(String(magic[2], radix: 16, uppercase: true)), which IDX does not define"
            )
        }
        let rank = Int(magic[3])
        guard rank >= 1 else {
            throw DataError.invalidFile(
                path: path, problem: "its IDX header declares rank 0; IDX data needs at least one dimension")
        }
        let header = try reader.readExactly(4 * rank, part: "header of \(rank) dimensions", offset: 4)
        let dimensions = (0..<rank).map { d in header[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) } }
        var dataBytes = elementType.size
        for value in dimensions {
            let (product, overflow) = dataBytes.multipliedReportingOverflow(by: value)
            guard !overflow else {
                throw DataError.invalidFile(
                    path: path, problem: "its header claims dimensions \(dimensions), more data than can be addressed")
            }
            dataBytes = product
        }
        self.path = path
        self.elementType = elementType
        self.dimensions = dimensions
        self.headerBytes = 4 + 4 * rank
        self.dataBytes = dataBytes
        self.reader = reader
    }

    /// Reads the element data and checks that nothing follows it. Before allocating: a claim
    /// larger than the file can hold is a truncation (for gzip, found by inflating and
    /// discarding what is there), and one above `FluidLimits.maxIDXBytes` is refused.
    func readData() throws -> [UInt8] {
        let part = "data for dimensions \(dimensions)"
        if dataBytes > reader.largestPossible(after: headerBytes) {
            let found = reader.isCompressed ? try reader.skipToEnd() : reader.fileSize - headerBytes
            throw DataError.truncated(
                path: path, part: part, expectedBytes: headerBytes + dataBytes, foundBytes: headerBytes + found)
        }
        let limit = FluidLimits.maxIDXBytes
        guard dataBytes <= limit else {
            throw DataError.limitExceeded(
                path: path,
                problem: "its header claims dimensions \(dimensions) of \(elementType), \(dataBytes) bytes of data",
                limit: .maxIDXBytes, value: limit)
        }
        // A plain file was just shown to hold the claim; a gzip stream's is taken on trust only as it inflates.
        let data =
            reader.isCompressed
            ? try reader.readGrowing(dataBytes, part: part, offset: headerBytes)
            : try reader.readExactly(dataBytes, part: part, offset: headerBytes)
        guard try reader.isAtEnd() else {
            throw DataError.invalidFile(
                path: path,
                problem:
                    "it holds more than the \(headerBytes + dataBytes) bytes its header declares (dimensions \(dimensions))"
            )
        }
        return data
    }
}

extension IDXStream {
    /// Opens an image file: unsigned bytes of rank 3 (count, rows, columns).
    static func images(_ path: String) throws -> IDXStream {
        let images = try IDXStream(path: path)
        guard images.elementType == .uint8, images.dimensions.count == 3 else {
            throw DataError.invalidFile(
                path: path,
                problem:
                    "an image file must hold unsigned bytes of rank 3 (count, rows, columns), found \(images.elementType) of dimensions \(images.dimensions)"
            )
        }
        return images
    }

    /// Opens the label file of these images (unsigned bytes of rank 1) and checks that its
    /// header claims one label per image.
    func labels(_ path: String) throws -> IDXStream {
        let labels = try IDXStream(path: path)
        guard labels.elementType == .uint8, labels.dimensions.count == 1 else {
            throw DataError.invalidFile(
                path: path,
                problem:
                    "a label file must hold unsigned bytes of rank 1, found \(labels.elementType) of dimensions \(labels.dimensions)"
            )
        }
        guard dimensions[0] == labels.dimensions[0] else {
            throw DataError.countMismatch(
                imagesPath: self.path, imageCount: dimensions[0], labelsPath: path, labelCount: labels.dimensions[0])
        }
        return labels
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
