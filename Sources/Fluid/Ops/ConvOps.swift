/// Placeholder until this family's ops are written.
enum ConvOps {
    static let definitions: [OpDefinition] = []
}
