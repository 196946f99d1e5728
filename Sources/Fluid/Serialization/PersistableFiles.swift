import Foundation

/// The persistable tensors of a program on disk, in either layout: one tensor-stream file per
/// variable in a directory, or all streams back to back in one file, in sorted-name order.
enum PersistableFiles {
    /// Block 0's persistable variables that hold tensors (not the feed and fetch lists or
    /// readers), sorted by name as Paddle's writers and loaders sort them.
    static func variables(of program: Program) -> [VarDesc] {
        program.globalBlock.vars
            .filter {
                $0.persistable && $0.kind != .feedMinibatch && $0.kind != .fetchList && $0.kind != .reader
                    && $0.kind != .raw
            }
            .sorted { $0.name < $1.name }
    }

    /// Writes `variables`' tensors from `scope`: into the directory `location.parametersPath`
    /// (directory layout) or the single file at that path (combined).
    static func write(
        _ variables: [VarDesc], from scope: Scope, layout: ModelLayout, to path: String,
        writer: inout AtomicFileWriter
    ) throws {
        let tensors = try variables.map { v -> Tensor in
            guard let t = scope[v.name] else {
                throw FluidError.missingVariable(
                    name: v.name,
                    context:
                        "it is a persistable of the program being saved, but the scope holds no value for it (run the startup program first)"
                )
            }
            return t
        }
        switch layout {
        case .combined:
            var data = Data()
            for t in tensors { TensorStream.write(t, to: &data) }
            try writer.write(data, to: path)
        case .directory:
            let location = ModelLocation(layout: .directory, programPath: "", parametersPath: path)
            for (v, t) in zip(variables, tensors) {
                var data = Data()
                TensorStream.write(t, to: &data)
                try writer.write(data, to: try location.parameterFile(v.name))
            }
        }
    }

    /// Reads `variables`' tensors and, once every one is read and checked against its
    /// declaration, stores them in `scope`. Nothing is stored if any is missing or wrong.
    static func read(_ variables: [VarDesc], layout: ModelLayout, from path: String, into scope: Scope) throws {
        var tensors: [Tensor] = []
        switch layout {
        case .combined:
            tensors = try readCombined(variables, from: try readFile(path, limit: .maxParameterFileBytes), path: path)
        case .directory:
            let location = ModelLocation(layout: .directory, programPath: "", parametersPath: path)
            for v in variables {
                let file = try location.parameterFile(v.name)
                guard FileManager.default.fileExists(atPath: file) else {
                    throw FluidError.file(
                        path: file, message: "is missing: the program declares persistable '\(v.name)'")
                }
                let data = try readFile(file, limit: .maxParameterFileBytes)
                var reader = ByteReader(data: data, path: file)
                let t = try TensorStream.read(&reader)
                guard reader.atEnd else {
                    throw FluidError.file(
                        path: file, message: "has \(reader.remaining) bytes after the tensor of '\(v.name)'")
                }
                try check(t, against: v, file: file)
                tensors.append(t)
            }
        }
        for (v, t) in zip(variables, tensors) { scope.set(v.name, t) }
    }

    /// The tensors of a combined file's bytes, one per variable in order, nothing left over.
    static func readCombined(_ variables: [VarDesc], from data: Data, path: String) throws -> [Tensor] {
        var reader = ByteReader(data: data, path: path)
        var tensors: [Tensor] = []
        for v in variables {
            guard !reader.atEnd else {
                throw FluidError.file(
                    path: path,
                    message:
                        "ends after \(tensors.count) tensors, but the program has \(variables.count) persistables: '\(v.name)' and those after it are missing"
                )
            }
            let t = try TensorStream.read(&reader)
            try check(t, against: v, file: path)
            tensors.append(t)
        }
        guard reader.atEnd else {
            throw FluidError.file(
                path: path,
                message:
                    "has \(reader.remaining) bytes left over after the \(variables.count) persistables the program declares (a params file of another model?)"
            )
        }
        return tensors
    }

    /// The tensor read for `v` must have its dtype and every size the program knows.
    static func check(_ t: Tensor, against v: VarDesc, file: String) throws {
        let declared = "\(v.dtype)\(v.shape)"
        let found = "\(t.dtype)\(t.shape)"
        guard t.dtype == v.dtype, v.shape.count == t.shape.count || v.shape.isEmpty,
            zip(v.shape, t.shape).allSatisfy({ $0 < 0 || $0 == $1 })
        else {
            throw FluidError.file(
                path: file, message: "holds \(found) for variable '\(v.name)', but the program declares \(declared)")
        }
    }
}
