/// Placeholder until this family's ops are written.
enum BatchNormOps {
    static let definitions: [OpDefinition] = []
}
