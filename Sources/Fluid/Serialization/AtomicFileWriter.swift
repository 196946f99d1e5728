import CFluidSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes model and checkpoint files so that a crash or kill mid-save never leaves a
/// half-written file where a good one was: each file goes to a temporary file in the same
/// directory, is flushed to disk and renamed into place; a directory is written as a temporary
/// sibling and swapped in with one `renameat2(RENAME_EXCHANGE)`.
struct AtomicFileWriter {
    /// Tests set this to make the write after that many files fail, as a full disk would.
    var failAfterFiles: Int?
    private var filesWritten = 0

    init(failAfterFiles: Int? = nil) {
        self.failAfterFiles = failAfterFiles
    }

    /// Writes `data` to `path` through a temporary file and a rename.
    mutating func write(_ data: Data, to path: String) throws {
        if let limit = failAfterFiles, filesWritten >= limit {
            throw FluidError.file(
                path: path, message: "cannot be written (injected write failure after \(limit) files)")
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            .path
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw FluidError.file(
                    path: path, message: "cannot be written: the directory is missing or not writable")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            do {
                try handle.write(contentsOf: data)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard rename(temporary, path) == 0 else {
                throw FluidError.file(path: path, message: "cannot be replaced (\(String(cString: strerror(errno))))")
            }
        } catch let error as FluidError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FluidError.file(path: path, message: "cannot be written (\(error.localizedDescription))")
        }
        filesWritten += 1
    }

    /// Fills a new temporary directory beside `path` with `fill`, then puts it in place of
    /// `path`. Entries of the old directory that the new one lacks and `keep` accepts (a
    /// checkpoint kept beside a model) are moved into the new one first.
    mutating func replaceDirectory(
        _ path: String, keep: (String) -> Bool = { _ in false },
        fill: (String, inout AtomicFileWriter) throws -> Void
    ) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let temporary = parent + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw FluidError.file(path: path, message: "cannot be created (\(error.localizedDescription))")
        }
        do {
            try fill(temporary, &self)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw FluidError.file(
                        path: path, message: "exists and is not a directory, so no model directory can be saved there")
                }
                let written = Set((try? fm.contentsOfDirectory(atPath: temporary)) ?? [])
                for entry in (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
                where !written.contains(entry) && keep(entry) {
                    guard rename(url.path + "/" + entry, temporary + "/" + entry) == 0 else {
                        throw FluidError.file(
                            path: url.path + "/" + entry,
                            message: "cannot be carried over to the new directory (\(String(cString: strerror(errno))))"
                        )
                    }
                }
                guard exchange(temporary, url.path) else {
                    throw FluidError.file(
                        path: path, message: "cannot be replaced (\(String(cString: strerror(errno))))")
                }
            } else {
                guard rename(temporary, url.path) == 0 else {
                    throw FluidError.file(
                        path: path, message: "cannot be created (\(String(cString: strerror(errno))))")
                }
                return
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        // The old directory now sits at the temporary path.
        try? fm.removeItem(atPath: temporary)
    }

    /// Swaps two paths atomically (Linux renameat2 with RENAME_EXCHANGE).
    private func exchange(_ a: String, _ b: String) -> Bool {
        fluid_exchange_paths(a, b) == 0
    }
}
