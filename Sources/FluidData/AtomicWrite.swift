import Foundation

/// Writes `data` to `path` through a temporary file in the same directory, renamed into place,
/// so an interrupted write never leaves half a file where a good one was.
///
/// ```swift
/// try writeAtomically(Data(graph.utf8), to: "model.dot")
/// ```
///
/// Throws `DataError.cannotWrite` naming the file and the reason (a missing or read-only
/// directory, a directory in the way, a full disk).
public func writeAtomically(_ data: Data, to path: String) throws {
    try checkWritable(path)
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        var reason = (error as NSError).localizedDescription
        while reason.last == "." { reason.removeLast() }
        throw DataError.cannotWrite(path: path, reason: reason)
    }
}

/// Checks, before any work whose result would go to `path`, that a file can be written there:
/// its directory exists and is writable, and `path` is not a directory.
///
/// ```swift
/// try checkWritable("probs.f32")   // before a long run
/// ```
///
/// Throws `DataError.cannotWrite` naming the file and what is in the way.
public func checkWritable(_ path: String) throws {
    let fm = FileManager.default
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw DataError.cannotWrite(path: path, reason: "it is a directory")
    }
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw DataError.cannotWrite(path: path, reason: "its directory '\(directory)' does not exist")
    }
    guard fm.isWritableFile(atPath: directory) else {
        throw DataError.cannotWrite(path: path, reason: "its directory '\(directory)' is not writable")
    }
}
