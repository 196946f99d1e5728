/// Placeholder until this family's ops are written.
enum ReduceOps {
    static let definitions: [OpDefinition] = []
}
