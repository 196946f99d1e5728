/// Placeholder until this family's ops are written.
enum LossOps {
    static let definitions: [OpDefinition] = []
}
