import Foundation
import Testing

/// The layers of Sources/Fluid point one way (DESIGN.md §2): a folder uses only the types and
/// functions declared in the folders before it in `layers`. The test reads the sources, collects
/// each folder's top-level declarations, and fails on any use of a later folder's name in code
/// (comments and string literals aside).
@Suite struct LayeringTests {
    static let layers = [
        "Tensor", "IR", "Ops", "Autodiff", "Optimizers", "Passes", "Runtime", "Layers", "Serialization", "ONNX",
    ]

    static let fluidSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Fluid").path

    /// The Swift files of `layer`, by name, with their text.
    static func files(of layer: String) throws -> [(name: String, text: String)] {
        let folder = fluidSources + "/" + layer
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".swift") }.sorted()
            .map { ($0, try String(contentsOfFile: folder + "/" + $0, encoding: .utf8)) }
    }

    /// Names a file declares for other files: top-level types, protocols, typealiases, functions
    /// and constants that are not private.
    static func topLevelNames(_ text: String) -> [String] {
        let pattern =
            /^(?:public |internal |final |@[A-Za-z_]+ )*(?:struct|enum|class|protocol|typealias|func|let|var) ([A-Za-z_][A-Za-z0-9_]*)/
        return text.split(separator: "\n").compactMap { line in
            (try? pattern.prefixMatch(in: line)).map { String($0.1) }
        }
    }

    /// Every type a file declares, nested ones included (a nested `Activation` shadows another layer's).
    static func typeNames(_ text: String) -> Set<String> {
        Set(text.matches(of: /(?:struct|enum|class|protocol|typealias) ([A-Za-z_][A-Za-z0-9_]*)/).map { String($0.1) })
    }

    /// The identifiers a file's code uses, except member names after a dot and argument labels:
    /// comments and string literals removed first.
    static func identifiers(_ text: String) -> Set<String> {
        var code = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var kept = Substring(line)
            if let comment = kept.range(of: "//") { kept = kept[..<comment.lowerBound] }
            code += kept.replacing(/"(?:[^"\\]|\\.)*"/, with: "\"\"") + "\n"
        }
        // A leading dot marks a member, a trailing colon an argument label: neither names a declaration.
        return Set(
            code.matches(of: /\.?[A-Za-z_][A-Za-z0-9_]*:?/).map(\.0)
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix(":") }.map(String.init))
    }

    @Test func noLayerUsesALayerAboveIt() throws {
        var declaredIn: [String: String] = [:]
        for layer in Self.layers {
            for file in try Self.files(of: layer) {
                for name in Self.topLevelNames(file.text) where declaredIn[name] == nil { declaredIn[name] = layer }
            }
        }
        #expect(declaredIn["Executor"] == "Runtime" && declaredIn["Tensor"] == "Tensor" && declaredIn["OpDesc"] == "IR")
        var violations: [String] = []
        for (index, layer) in Self.layers.enumerated() {
            let above = Set(Self.layers[(index + 1)...])
            let files = try Self.files(of: layer)
            let ownTypes = files.reduce(into: Set<String>()) { $0.formUnion(Self.typeNames($1.text)) }
            for file in files {
                for name in Self.identifiers(file.text).subtracting(ownTypes).sorted() {
                    guard let home = declaredIn[name], above.contains(home) else { continue }
                    violations.append("\(layer)/\(file.name) uses \(name) from \(home)")
                }
            }
        }
        #expect(violations.isEmpty, "layering violations:\n\(violations.joined(separator: "\n"))")
    }

    /// The check itself: a use of a later layer's name is found, a mention in a comment or string is not.
    @Test func theScanSeesCodeButNotCommentsOrStrings() {
        let text = """
            /// Runs on an Executor.
            func f() { let e = Executor(); print("Scope"); e.run() }  // Scope
            """
        #expect(Self.identifiers(text).contains("Executor"))
        #expect(!Self.identifiers(text).contains("Scope") && !Self.identifiers(text).contains("run"))
        #expect(
            Self.topLevelNames("public final class Executor {\nstruct Plan {}\n    func inner()") == [
                "Executor", "Plan",
            ])
    }
}
