/// Placeholder until this family's ops are written.
enum ShapeOps {
    static let definitions: [OpDefinition] = []
}
