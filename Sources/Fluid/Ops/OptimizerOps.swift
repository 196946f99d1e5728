/// Placeholder until this family's ops are written.
enum OptimizerOps {
    static let definitions: [OpDefinition] = []
}
