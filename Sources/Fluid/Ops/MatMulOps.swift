/// Placeholder until this family's ops are written.
enum MatMulOps {
    static let definitions: [OpDefinition] = []
}
