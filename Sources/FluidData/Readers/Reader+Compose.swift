extension Reader {
    /// Applies `transform` to every sample, as `paddle.reader.map_readers`.
    ///
    /// ```swift
    /// let labels = test.reader.map { $0.label }
    /// ```
    @inlinable
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Element) -> T) -> Reader<T> {
        let upstream = self
        return Reader<T> {
            let source = upstream.makeIterator()
            return AnyIterator { source.next().map(transform) }
        }
    }

    /// Yields this reader's samples, then `other`'s, as `paddle.reader.chain`.
    ///
    /// ```swift
    /// let everything = train.reader.chain(test.reader)
    /// ```
    @inlinable
    public func chain(_ others: Reader<Element>...) -> Reader<Element> {
        let readers = [self] + others
        return Reader {
            var current = 0
            var source = readers[0].makeIterator()
            return AnyIterator {
                while true {
                    if let element = source.next() { return element }
                    current += 1
                    guard current < readers.count else { return nil }
                    source = readers[current].makeIterator()
                }
            }
        }
    }

    /// Pairs each sample with the sample of `other` at the same position, as
    /// `paddle.reader.compose`. A pass ends when either reader ends.
    ///
    /// ```swift
    /// let pairs = images.compose(labels)   // Reader<(Image, Label)>
    /// ```
    @inlinable
    public func compose<Other: Sendable>(_ other: Reader<Other>) -> Reader<(Element, Other)> {
        let first = self
        return Reader<(Element, Other)> {
            let left = first.makeIterator()
            let right = other.makeIterator()
            return AnyIterator {
                guard let a = left.next(), let b = right.next() else { return nil }
                return (a, b)
            }
        }
    }

    /// The first `count` samples of each pass, as `paddle.reader.firstn`.
    ///
    /// ```swift
    /// let slice = train.reader.firstN(5000)
    /// ```
    @inlinable
    public func firstN(_ count: Int) -> Reader<Element> {
        let upstream = self
        return Reader {
            let source = upstream.makeIterator()
            var taken = 0
            return AnyIterator {
                guard taken < count else { return nil }
                taken += 1
                return source.next()
            }
        }
    }
}
