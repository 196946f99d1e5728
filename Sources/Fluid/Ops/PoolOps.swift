/// Placeholder until this family's ops are written.
enum PoolOps {
    static let definitions: [OpDefinition] = []
}
