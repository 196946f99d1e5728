import CZlib

/// IDX files written byte by byte for the tests, independent of the reader under test.
public enum IDXTestFiles {
    /// An IDX header (magic with element `type`, then each dimension big-endian) followed by `data`.
    public static func bytes(type: UInt8 = 0x08, dimensions: [Int], data: [UInt8] = []) -> [UInt8] {
        [0, 0, type, UInt8(dimensions.count)] + dimensions.flatMap { TestPNGEncoder.bigEndian(UInt32($0)) } + data
    }
}

public struct GzipWriteFailed: Error {
    public let path: String
}

extension TemporaryDirectory {
    /// Writes `bytes` gzip-compressed (by zlib) to a file in the directory and returns its path.
    public func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = file(name)
        guard let handle = gzopen(path, "wb") else { throw GzipWriteFailed(path: path) }
        let written = bytes.withUnsafeBytes { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(handle) == Z_OK, Int(written) == bytes.count else { throw GzipWriteFailed(path: path) }
        return path
    }
}
