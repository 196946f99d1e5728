import Foundation

/// Where SwiftFluid keeps downloaded datasets: `$SWIFTFLUID_HOME/dataset/NAME` when the
/// environment variable `SWIFTFLUID_HOME` is set, otherwise `~/.cache/swiftfluid/dataset/NAME`
/// (the directory `Tools/fetch-mnist` fills).
///
/// ```swift
/// DatasetDirectory.path(for: "mnist")   // "/home/me/.cache/swiftfluid/dataset/mnist"
/// ```
public enum DatasetDirectory {
    /// The root of SwiftFluid's cache: `$SWIFTFLUID_HOME` or `~/.cache/swiftfluid`.
    public static var home: String {
        if let home = ProcessInfo.processInfo.environment["SWIFTFLUID_HOME"], !home.isEmpty {
            return home
        }
        return NSHomeDirectory() + "/.cache/swiftfluid"
    }

    /// The directory of the dataset called `name` in the cache.
    public static func path(for name: String) -> String {
        home + "/dataset/" + name
    }
}
