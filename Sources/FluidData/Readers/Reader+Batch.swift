extension Reader {
    /// Groups consecutive samples into arrays of `size`, as `paddle.batch`. The last batch
    /// holds what is left (fewer than `size`) unless `dropLast` is true.
    ///
    /// ```swift
    /// for batch in test.reader.batch(size: 64) { batch.count }   // 64, ..., 64, 16
    /// ```
    @inlinable
    public func batch(size: Int, dropLast: Bool = false) -> Reader<[Element]> {
        precondition(size > 0, "batch(size:) needs a positive size, got \(size)")
        let upstream = self
        return Reader<[Element]> {
            let source = upstream.makeIterator()
            return AnyIterator {
                var batch: [Element] = []
                batch.reserveCapacity(Swift.min(size, 4096))  // a huge size must not allocate up front
                while batch.count < size, let element = source.next() {
                    batch.append(element)
                }
                if batch.isEmpty || (dropLast && batch.count < size) { return nil }
                return batch
            }
        }
    }
}
