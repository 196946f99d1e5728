/// Placeholder until this family's ops are written.
enum RandomOps {
    static let definitions: [OpDefinition] = []
}
