/// Placeholder until this family's ops are written.
enum DropoutOps {
    static let definitions: [OpDefinition] = []
}
