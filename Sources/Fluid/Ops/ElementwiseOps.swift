/// Placeholder until this family's ops are written.
enum ElementwiseOps {
    static let definitions: [OpDefinition] = []
}
