/// A source of samples in the style of `paddle.reader`: each pass (each `for ... in`) starts
/// a fresh iteration, and decorators (`shuffle`, `batch`, `map`, `chain`, `compose`,
/// `firstN`, `buffered`) wrap one reader into another without reading anything until a pass
/// begins.
///
/// ```swift
/// let train = try MNIST.train()
/// let batches = train.reader.shuffle(bufferSize: 500, seed: 7).batch(size: 64).buffered(size: 4)
/// for epoch in 0..<5 {
///     for batch in batches { try exe.run(main, feed: feeder.feed(batch), ...) }   // a new order each epoch
/// }
/// ```
public struct Reader<Element: Sendable>: Sequence, Sendable {
    @usableFromInline let startPass: @Sendable () -> AnyIterator<Element>

    /// A reader whose passes are the iterators `startPass` returns.
    @inlinable
    public init(_ startPass: @escaping @Sendable () -> AnyIterator<Element>) {
        self.startPass = startPass
    }

    /// A reader that yields `elements` in order on every pass.
    @inlinable
    public init<S: Sequence & Sendable>(elements: S) where S.Element == Element {
        self.startPass = { AnyIterator(elements.makeIterator()) }
    }

    /// Starts a pass.
    @inlinable
    public func makeIterator() -> AnyIterator<Element> {
        startPass()
    }
}
