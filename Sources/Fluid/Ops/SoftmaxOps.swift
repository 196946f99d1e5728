/// Placeholder until this family's ops are written.
enum SoftmaxOps {
    static let definitions: [OpDefinition] = []
}
