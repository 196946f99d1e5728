/// `feed` and `fetch`: the ops Paddle puts at the edges of a saved program. The executor binds
/// their targets itself (feed tensors are copied into Out, fetched tensors read from X), so
/// their kernels do nothing; they are registered so programs that hold them (Paddle's saved
/// inference programs) run and `fluid ops` lists them.
enum FeedFetchOps {
    static let feed = OpDefinition(
        OpSchema(
            "feed", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")], attributes: [AttributeSpec("col", .int(0))]),
        inferShape: { _ in },
        kernel: { _ in {} })

    static let fetch = OpDefinition(
        OpSchema(
            "fetch", inputs: [SlotSpec("X")], outputs: [SlotSpec("Out")], attributes: [AttributeSpec("col", .int(0))]),
        inferShape: { _ in },
        kernel: { _ in {} })

    static let definitions = [feed, fetch]
}
