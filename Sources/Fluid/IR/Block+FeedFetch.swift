extension Block {
    /// The variables Paddle's edge ops name, in `col` order: the Out of the `feed` ops
    /// (`type` "feed") or the X of the `fetch` ops (`type` "fetch").
    func columnTargets(of type: String) -> [String] {
        ops.filter { $0.type == type }
            .map {
                (col: $0.attributes["col"]?.intValue ?? 0, names: type == "feed" ? $0.output("Out") : $0.input("X"))
            }
            .sorted { $0.col < $1.col }
            .flatMap(\.names)
    }
}
