import Foundation

extension Reader {
    /// Reads ahead on a background thread, keeping up to `size` samples ready, as
    /// `paddle.reader.buffered`: the samples and their order are those of this reader, while
    /// reading (decoding, shuffling, batching upstream) overlaps with the consumer's work.
    ///
    /// The thread starts with each pass and stops when the pass ends or its iterator is
    /// dropped (for example after `firstN`).
    ///
    /// ```swift
    /// let batches = train.reader.shuffle(bufferSize: 500, seed: 1).batch(size: 64).buffered(size: 8)
    /// ```
    public func buffered(size: Int) -> Reader<Element> {
        precondition(size > 0, "buffered(size:) needs a positive size, got \(size)")
        let upstream = self
        return Reader {
            let queue = PrefetchQueue<Element>(capacity: size)
            let producer = Thread {
                let source = upstream.makeIterator()
                while let element = source.next() {
                    guard queue.push(element) else { return }
                }
                queue.finish()
            }
            producer.name = "FluidData.buffered"
            producer.start()
            let consumer = PrefetchConsumer(queue: queue)
            return AnyIterator { consumer.next() }
        }
    }
}

/// A bounded queue between one producer thread and one consumer.
final class PrefetchQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [Element?]
    private var head = 0
    private var count = 0
    private var finished = false
    private var cancelled = false

    init(capacity: Int) {
        slots = Array(repeating: nil, count: capacity)
    }

    /// Waits for room and adds `element`; false when the consumer is gone.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == slots.count && !cancelled { condition.wait() }
        if cancelled { return false }
        slots[(head + count) % slots.count] = element
        count += 1
        condition.broadcast()
        return true
    }

    /// Marks the end of the pass.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next element; nil at the end of the pass.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !finished { condition.wait() }
        guard count > 0 else { return nil }
        let element = slots[head]
        slots[head] = nil
        head = (head + 1) % slots.count
        count -= 1
        condition.broadcast()
        return element
    }

    /// Tells the producer to stop and drops what is queued.
    func cancel() {
        condition.lock()
        cancelled = true
        slots = Array(repeating: nil, count: slots.count)
        count = 0
        condition.broadcast()
        condition.unlock()
    }
}

/// The consumer's end: stops the producer when the iterator goes away.
final class PrefetchConsumer<Element: Sendable> {
    private let queue: PrefetchQueue<Element>

    init(queue: PrefetchQueue<Element>) { self.queue = queue }

    deinit { queue.cancel() }

    func next() -> Element? { queue.pop() }
}
