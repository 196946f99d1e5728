/// Placeholder until this family's ops are written.
enum MetricOps {
    static let definitions: [OpDefinition] = []
}
