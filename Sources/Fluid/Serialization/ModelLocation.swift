import Foundation

/// How an inference model's files are laid out on disk, as PaddlePaddle writes them.
public enum ModelLayout: String, Sendable, CaseIterable {
    /// fluid 1.x: `DIR/__model__` (the ProgramDesc) and one tensor-stream file per persistable,
    /// named by the variable.
    case directory
    /// Paddle 2.x/3.x: `PREFIX.pdmodel` (the ProgramDesc) and `PREFIX.pdiparams` (the
    /// persistables' tensor streams back to back, in sorted-name order).
    case combined
}

/// The files of a model found at a path: a directory holding `__model__` (or a single
/// `.pdmodel`), a prefix `P` with `P.pdmodel`, or a `.pdmodel` path.
struct ModelLocation {
    let layout: ModelLayout
    /// The ProgramDesc file.
    let programPath: String
    /// The directory of parameter files (directory layout) or the `.pdiparams` file (combined).
    let parametersPath: String

    static let programFileName = "__model__"

    init(layout: ModelLayout, programPath: String, parametersPath: String) {
        self.layout = layout
        self.programPath = programPath
        self.parametersPath = parametersPath
    }

    /// Where `save` writes a model of `layout` given the user's path: a directory for the
    /// directory layout, a prefix for the combined one (`.pdmodel` stripped if given).
    init(saving path: String, layout: ModelLayout) {
        self.layout = layout
        switch layout {
        case .directory:
            programPath = path + "/" + Self.programFileName
            parametersPath = path
        case .combined:
            let prefix = path.hasSuffix(".pdmodel") ? String(path.dropLast(".pdmodel".count)) : path
            programPath = prefix + ".pdmodel"
            parametersPath = prefix + ".pdiparams"
        }
    }

    /// Finds the model at `path`, or throws saying what was looked for.
    init(finding path: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        func combined(_ prefix: String) -> ModelLocation {
            ModelLocation(layout: .combined, programPath: prefix + ".pdmodel", parametersPath: prefix + ".pdiparams")
        }
        if path.hasSuffix(".pdmodel"), fm.fileExists(atPath: path) {
            self = combined(String(path.dropLast(".pdmodel".count)))
        } else if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let inner = path + "/" + Self.programFileName
            if fm.fileExists(atPath: inner) {
                self.init(layout: .directory, programPath: inner, parametersPath: path)
                return
            }
            let models = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".pdmodel") }
                .sorted()
            guard models.count == 1 else {
                throw FluidError.file(
                    path: path,
                    message: models.isEmpty
                        ? "holds no model: a model directory has a __model__ file or one .pdmodel file"
                        : "holds several models (\(models.joined(separator: ", "))): name one of the .pdmodel files")
            }
            self = combined(path + "/" + String(models[0].dropLast(".pdmodel".count)))
        } else if fm.fileExists(atPath: path + ".pdmodel") {
            self = combined(path)
        } else {
            throw FluidError.file(
                path: path,
                message:
                    "no model found: expected a directory holding __model__, a prefix P with P.pdmodel and P.pdiparams, or a .pdmodel file"
            )
        }
    }

    /// The file of persistable `name` in the directory layout. Names that would leave the
    /// directory are refused.
    func parameterFile(_ name: String) throws -> String {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", name != Self.programFileName else {
            throw FluidError.file(
                path: parametersPath,
                message: "variable name '\(name)' cannot be a parameter file name in the directory layout")
        }
        return parametersPath + "/" + name
    }
}

/// Reads a whole file, refusing one larger than `limit` (a model or parameter file limit of
/// `FluidLimits`) before reading it.
func readFile(_ path: String, limit name: FluidLimits.Limit) throws -> Data {
    let limit = FluidLimits.value(of: name)
    let attributes: [FileAttributeKey: Any]
    do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
        throw FluidError.file(path: path, message: "cannot be read (it does not exist or is not accessible)")
    }
    if let size = (attributes[.size] as? NSNumber)?.intValue, size > limit {
        throw FluidError.file(
            path: path, message: "is \(size) bytes, more than \(FluidLimits.refusal(name, value: limit))")
    }
    if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
        throw FluidError.file(path: path, message: "is a directory, not a file")
    }
    // Foundation's reader leaks a page on an empty file (found by fuzzing), and there is
    // nothing to read anyway.
    if (attributes[.size] as? NSNumber)?.intValue == 0 { return Data() }
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw FluidError.file(path: path, message: "cannot be read (\(error.localizedDescription))")
    }
}
