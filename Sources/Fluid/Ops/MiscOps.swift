/// Placeholder until this family's ops are written.
enum MiscOps {
    static let definitions: [OpDefinition] = []
}
