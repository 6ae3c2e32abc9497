/// The objects of a ``Cacher``, in ascending byte order of their keys.
///
/// A sorted run of chunks, each an array of at most ``chunkCapacity`` objects: a lookup is a binary search over
/// the chunks' first keys and one within a chunk, and a prefix is a contiguous range of positions. Inserting or
/// removing a key moves the tail of one chunk (a full chunk splits in two), so a write costs the same at a hundred
/// objects as at a hundred thousand, where one sorted array moved half the set on every insert.
///
/// A ``Snapshot`` shares the chunks copy-on-write: taking one under the cache's lock costs a reference to the
/// chunk array, and the next write copies that array (one reference per chunk) and the one chunk it changes, not
/// the whole set.
struct SortedObjects<Attributes: Sendable & Equatable>: Sendable {
    typealias Object = CachedObject<Attributes>

    /// The most objects a chunk holds before it splits.
    static var chunkCapacity: Int { 512 }

    /// The chunks, in key order; none is empty.
    private(set) var chunks: [[Object]] = []
    /// How many objects there are.
    private(set) var count = 0

    init() {}

    /// Takes objects in any order; when two have the same key the last one wins.
    init(_ objects: [Object]) {
        var sorted = objects
        if !Self.isStrictlySorted(sorted) {
            sorted = Self.sortedKeepingLast(objects)
        }
        // Half-full chunks, so that the first inserts after a relist do not split every chunk at once.
        let size = max(1, Self.chunkCapacity / 2)
        var start = 0
        while start < sorted.count {
            let end = min(start + size, sorted.count)
            self.chunks.append(Array(sorted[start..<end]))
            start = end
        }
        self.count = sorted.count
    }

    /// Every object, in key order (for tests and small sets; a list walks a ``Snapshot`` instead).
    var elements: [Object] { self.chunks.flatMap { $0 } }

    /// The object stored under `key`.
    func object(forKey key: String) -> Object? {
        guard let chunk = self.chunkIndex(for: key) else { return nil }
        let objects = self.chunks[chunk]
        let index = Self.lowerBound(key, in: objects)
        guard index < objects.count, objects[index].key == key else { return nil }
        return objects[index]
    }

    /// Stores `object`, returning the object it replaces.
    ///
    /// When the replaced object's attributes equal the new ones (a status write leaves labels and most fields as
    /// they were), `object` takes the replaced object's attributes, so that the versions the history ring keeps
    /// share one copy of them.
    mutating func upsert(_ object: inout Object) -> Object? {
        guard let chunk = self.chunkIndex(for: object.key) else {
            self.chunks = [[object]]
            self.count = 1
            return nil
        }
        let index = Self.lowerBound(object.key, in: self.chunks[chunk])
        if index < self.chunks[chunk].count, self.chunks[chunk][index].key == object.key {
            let previous = self.chunks[chunk][index]
            if object.attributes == previous.attributes { object.attributes = previous.attributes }
            self.chunks[chunk][index] = object
            return previous
        }
        self.chunks[chunk].insert(object, at: index)
        self.count += 1
        if self.chunks[chunk].count > Self.chunkCapacity {
            let middle = self.chunks[chunk].count / 2
            let upper = Array(self.chunks[chunk][middle...])
            self.chunks[chunk].removeSubrange(middle...)
            self.chunks.insert(upper, at: chunk + 1)
        }
        return nil
    }

    /// Removes the object stored under `key`, returning it.
    mutating func remove(key: String) -> Object? {
        guard let chunk = self.chunkIndex(for: key) else { return nil }
        let index = Self.lowerBound(key, in: self.chunks[chunk])
        guard index < self.chunks[chunk].count, self.chunks[chunk][index].key == key else { return nil }
        let removed = self.chunks[chunk].remove(at: index)
        self.count -= 1
        if self.chunks[chunk].isEmpty {
            self.chunks.remove(at: chunk)
        }
        return removed
    }

    /// The objects whose key starts with `prefix` (every object for `""`), as an immutable view sharing the
    /// chunks.
    func snapshot(prefix: String) -> Snapshot {
        let whole = Snapshot(chunks: self.chunks, count: self.count)
        guard !prefix.isEmpty else { return whole }
        let start = whole.lowerBound(prefix)
        // From `start` on, the keys with the prefix come first: find where they end.
        var low = start
        var high = whole.endIndex
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.hasPrefix(whole[middle].key, prefix) { low = middle + 1 } else { high = middle }
        }
        return whole[start..<low]
    }

    /// The chunk that holds `key`, or would: the last one whose first key does not sort after `key` (the first
    /// chunk for a key before every other); `nil` when there is none.
    private func chunkIndex(for key: String) -> Int? {
        guard !self.chunks.isEmpty else { return nil }
        var low = 0
        var high = self.chunks.count
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.precedes(key, self.chunks[middle][0].key) { high = middle } else { low = middle + 1 }
        }
        return max(0, low - 1)
    }

    /// The index of the first object whose key does not sort before `key`.
    static func lowerBound(_ key: String, in objects: [Object]) -> Int {
        var low = 0
        var high = objects.count
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.precedes(objects[middle].key, key) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func isStrictlySorted(_ objects: [Object]) -> Bool {
        var index = 1
        while index < objects.count {
            guard KeyOrder.precedes(objects[index - 1].key, objects[index].key) else { return false }
            index += 1
        }
        return true
    }

    private static func sortedKeepingLast(_ objects: [Object]) -> [Object] {
        let ordered = objects.enumerated().sorted { lhs, rhs in
            if lhs.element.key == rhs.element.key { return lhs.offset < rhs.offset }
            return KeyOrder.precedes(lhs.element.key, rhs.element.key)
        }
        var result: [Object] = []
        result.reserveCapacity(ordered.count)
        for (_, object) in ordered {
            if let last = result.last, last.key == object.key {
                result[result.count - 1] = object
            } else {
                result.append(object)
            }
        }
        return result
    }
}

extension SortedObjects {
    /// An immutable, copy-on-write view of a run of the objects, in key order, indexed by position in the whole
    /// set; slicing it shares the chunks.
    struct Snapshot: RandomAccessCollection, Sendable {
        typealias Index = Int
        typealias Indices = Range<Int>
        typealias SubSequence = Snapshot

        /// The chunks of the set the view was taken from.
        let chunks: [[Object]]
        /// Where each chunk starts in the whole set, then the set's count.
        private let starts: [Int]
        let startIndex: Int
        let endIndex: Int

        init(chunks: [[Object]], count: Int) {
            var starts: [Int] = []
            starts.reserveCapacity(chunks.count + 1)
            var position = 0
            for chunk in chunks {
                starts.append(position)
                position += chunk.count
            }
            starts.append(position)
            self.init(chunks: chunks, starts: starts, bounds: 0..<count)
        }

        private init(chunks: [[Object]], starts: [Int], bounds: Range<Int>) {
            self.chunks = chunks
            self.starts = starts
            self.startIndex = bounds.lowerBound
            self.endIndex = bounds.upperBound
        }

        var indices: Range<Int> { self.startIndex..<self.endIndex }

        func index(after index: Int) -> Int { index + 1 }

        func index(before index: Int) -> Int { index - 1 }

        subscript(position: Int) -> Object {
            precondition(position >= self.startIndex && position < self.endIndex, "snapshot index out of range")
            let chunk = self.chunk(containing: position)
            return self.chunks[chunk][position - self.starts[chunk]]
        }

        subscript(bounds: Range<Int>) -> Snapshot {
            precondition(
                bounds.lowerBound >= self.startIndex && bounds.upperBound <= self.endIndex,
                "snapshot range out of bounds"
            )
            return Snapshot(chunks: self.chunks, starts: self.starts, bounds: bounds)
        }

        func makeIterator() -> Iterator {
            guard self.startIndex < self.endIndex else {
                return Iterator(chunks: self.chunks, chunk: 0, offset: 0, remaining: 0)
            }
            let chunk = self.chunk(containing: self.startIndex)
            return Iterator(
                chunks: self.chunks,
                chunk: chunk,
                offset: self.startIndex - self.starts[chunk],
                remaining: self.count
            )
        }

        /// Walks the chunks in order without searching them.
        struct Iterator: IteratorProtocol {
            let chunks: [[Object]]
            var chunk: Int
            var offset: Int
            var remaining: Int

            mutating func next() -> Object? {
                guard self.remaining > 0 else { return nil }
                while self.offset >= self.chunks[self.chunk].count {
                    self.chunk += 1
                    self.offset = 0
                }
                defer {
                    self.offset += 1
                    self.remaining -= 1
                }
                return self.chunks[self.chunk][self.offset]
            }
        }

        /// The chunk holding the object at `position` (a position of the whole set, below its count).
        private func chunk(containing position: Int) -> Int {
            // The last chunk starting at or before `position`; `starts` ends with the count, never chosen.
            var low = 0
            var high = self.starts.count - 2
            while low < high {
                let middle = (low + high + 1) / 2
                if self.starts[middle] <= position { low = middle } else { high = middle - 1 }
            }
            return low
        }

        /// The position of the first object (of the whole set) whose key does not sort before `key`.
        fileprivate func lowerBound(_ key: String) -> Int {
            var low = self.startIndex
            var high = self.endIndex
            while low < high {
                let middle = (low + high) / 2
                if KeyOrder.precedes(self[middle].key, key) { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}
