import CZlib
import Foundation

/// Reads a file through zlib: gzip-compressed files are decompressed, plain files are read
/// as they are. Corrupt or truncated gzip streams are reported as errors, never as a
/// silently short read.
final class GzipFileReader {
    let path: String
    /// The file's size on disk (compressed size for a gzip file).
    let fileSize: Int
    private let file: gzFile

    /// Bytes read at a time when the amount the data will fill is not known yet.
    static let step = 1 << 20

    /// Deflate emits at least one bit per 258-byte match, so a gzip stream inflates to at most
    /// about 1032 times its size: a claim above that cannot be in the file.
    static let maximumExpansion = 1032

    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            throw DataError.cannotRead(path: path, reason: "it is a directory")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        fileSize = size ?? Int.max
        guard let file = gzopen(path, "rb") else {
            throw DataError.cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
    }

    deinit { gzclose(file) }

    /// Fills `buffer` as far as the file allows and returns the number of bytes read, which is
    /// less than `buffer.count` only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let chunk = UInt32(min(buffer.count - total, 1 << 30))
            let got = gzread(file, base + total, chunk)
            if got < 0 {
                throw zlibError()
            }
            total += Int(got)
            if got < chunk {
                // End of data, or a stream that stopped early: zlib tells which.
                var code: Int32 = 0
                _ = gzerror(file, &code)
                if code != Z_OK && code != Z_STREAM_END { throw zlibError() }
                break
            }
        }
        return total
    }

    /// Reads exactly `count` bytes into a new array, or throws `.truncated` naming `part`.
    /// `offset` is the number of bytes of the file read before, for the error's byte counts.
    func readExactly(_ count: Int, part: String, offset: Int) throws -> [UInt8] {
        let bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
        }
        guard bytes.count == count else {
            throw DataError.truncated(
                path: path, part: part, expectedBytes: offset + count,
                foundBytes: offset + bytes.count)
        }
        return bytes
    }

    /// True for a gzip stream, false for a plain file read as it is; known once something was read.
    var isCompressed: Bool { gzdirect(file) == 0 }

    /// The most bytes of data that can follow `offset` bytes already read: the rest of a plain
    /// file, or what its compressed size can inflate to.
    func largestPossible(after offset: Int) -> Int {
        if !isCompressed { return max(0, fileSize - offset) }
        let (bound, overflow) = fileSize.multipliedReportingOverflow(by: Self.maximumExpansion)
        return overflow ? Int.max : bound
    }

    /// Reads exactly `count` bytes like `readExactly`, but grows the array as the data arrives
    /// (doubling, capped at `count`) instead of reserving `count` up front: a gzip stream's
    /// header claim costs memory only once its data has actually been inflated.
    func readGrowing(_ count: Int, part: String, offset: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: min(count, Self.step))
        while bytes.count < count {
            let want = min(count - bytes.count, scratch.count)
            let got = try scratch.withUnsafeMutableBytes {
                try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<want]))
            }
            if bytes.count + got > bytes.capacity {
                bytes.reserveCapacity(min(count, max(2 * bytes.capacity, bytes.count + got)))
            }
            bytes.append(contentsOf: scratch[..<got])
            if got < want { break }
        }
        guard bytes.count == count else {
            throw DataError.truncated(
                path: path, part: part, expectedBytes: offset + count, foundBytes: offset + bytes.count)
        }
        return bytes
    }

    /// Reads the rest of the data, keeping none of it, and returns how many bytes there were.
    func skipToEnd() throws -> Int {
        var scratch = [UInt8](repeating: 0, count: Self.step)
        var total = 0
        while true {
            let got = try scratch.withUnsafeMutableBytes { try read(into: $0) }
            total += got
            if got < scratch.count { return total }
        }
    }

    /// True when no data is left (and the gzip trailer, if any, checks out).
    func isAtEnd() throws -> Bool {
        var byte: UInt8 = 0
        return try withUnsafeMutableBytes(of: &byte) { try read(into: $0) } == 0
    }

    private func zlibError() -> DataError {
        var code: Int32 = 0
        var message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
        // zlib starts its message with the path, which the error names already.
        if message.hasPrefix(path + ": ") { message.removeFirst(path.count + 2) }
        if code == Z_ERRNO {
            return .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        if code == Z_BUF_ERROR {
            return .invalidFile(
                path: path, problem: "the gzip stream ends early (zlib: \(message)); the file is truncated")
        }
        return .invalidFile(path: path, problem: "the gzip stream is corrupt (zlib: \(message))")
    }
}
