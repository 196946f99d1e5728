import Fluid
import Synchronization

extension Reader {
    /// Shuffles within consecutive buffers, as `paddle.reader.shuffle`: reads `bufferSize`
    /// samples in order, shuffles them, yields them, and repeats; the last buffer may be
    /// shorter. A sample never moves out of its buffer, so memory stays at `bufferSize`.
    ///
    /// Pass k of the returned reader shuffles with a generator seeded by (`seed`, `firstPass` + k):
    /// every epoch gets a new order, and the sequence of orders is the same on every run and
    /// machine. A training run resumed after e epochs passes `firstPass: e` to see the orders the
    /// uninterrupted run would have seen.
    ///
    /// ```swift
    /// let shuffled = train.reader.shuffle(bufferSize: 500, seed: 1)
    /// ```
    @inlinable
    public func shuffle(bufferSize: Int, seed: Int, firstPass: Int = 0) -> Reader<Element> {
        precondition(bufferSize > 0, "shuffle(bufferSize:) needs a positive buffer size, got \(bufferSize)")
        let upstream = self
        let passes = PassCounter(start: firstPass)
        return Reader {
            var generator = SeededGenerator(seed: seed, stream: passes.next())
            let source = upstream.makeIterator()
            var buffer: [Element] = []
            buffer.reserveCapacity(bufferSize)
            var position = 0
            return AnyIterator {
                if position == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    while buffer.count < bufferSize, let element = source.next() {
                        buffer.append(element)
                    }
                    generator.shuffle(&buffer)
                    position = 0
                    if buffer.isEmpty { return nil }
                }
                defer { position += 1 }
                return buffer[position]
            }
        }
    }

    /// Shuffles the whole pass: reads every sample, then yields them in a random order.
    /// Pass k uses a generator seeded by (`seed`, k), as `shuffle(bufferSize:seed:)`.
    ///
    /// ```swift
    /// let shuffled = train.reader.shuffleAll(seed: 1)
    /// ```
    @inlinable
    public func shuffleAll(seed: Int) -> Reader<Element> {
        let upstream = self
        let passes = PassCounter()
        return Reader {
            var generator = SeededGenerator(seed: seed, stream: passes.next())
            var all = Array(upstream)
            generator.shuffle(&all)
            return AnyIterator(all.makeIterator())
        }
    }
}

/// Counts the passes started on a reader, from any thread.
@usableFromInline
final class PassCounter: Sendable {
    private let count: Atomic<Int>

    @usableFromInline init(start: Int = 0) {
        count = Atomic(start)
    }

    /// The number of this pass: 0, 1, 2, ...
    @usableFromInline func next() -> Int {
        count.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
