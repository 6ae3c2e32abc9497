/// The objects of a ``Cacher``, in ascending byte order of their keys.
///
/// A sorted array: a lookup is a binary search, a prefix is a contiguous range, and a snapshot of the whole set is
/// a copy-on-write reference, so a list of every object costs nothing under the lock (the next write pays one
/// copy). Inserting or removing a key moves the tail of the array, which is cheap at the sizes a resource has.
struct SortedObjects<Attributes: Sendable>: Sendable {
    private(set) var elements: [CachedObject<Attributes>] = []

    init() {}

    /// Takes objects in any order; when two have the same key the last one wins.
    init(_ objects: [CachedObject<Attributes>]) {
        var sorted = objects
        if !Self.isStrictlySorted(sorted) {
            sorted = Self.sortedKeepingLast(objects)
        }
        self.elements = sorted
    }

    var count: Int { self.elements.count }

    /// The object stored under `key`.
    func object(forKey key: String) -> CachedObject<Attributes>? {
        let index = Self.lowerBound(key, in: self.elements)
        guard index < self.elements.count, self.elements[index].key == key else { return nil }
        return self.elements[index]
    }

    /// Stores `object`, returning the object it replaces.
    mutating func upsert(_ object: CachedObject<Attributes>) -> CachedObject<Attributes>? {
        let index = Self.lowerBound(object.key, in: self.elements)
        if index < self.elements.count, self.elements[index].key == object.key {
            let previous = self.elements[index]
            self.elements[index] = object
            return previous
        }
        self.elements.insert(object, at: index)
        return nil
    }

    /// Removes the object stored under `key`, returning it.
    mutating func remove(key: String) -> CachedObject<Attributes>? {
        let index = Self.lowerBound(key, in: self.elements)
        guard index < self.elements.count, self.elements[index].key == key else { return nil }
        return self.elements.remove(at: index)
    }

    /// The objects whose key starts with `prefix`, in key order, from a snapshot of ``elements``.
    static func objects(
        withPrefix prefix: String,
        in elements: [CachedObject<Attributes>]
    ) -> [CachedObject<Attributes>] {
        let range = Self.range(ofPrefix: prefix, in: elements)
        if range.count == elements.count { return elements }  // the whole set: share the buffer
        return Array(elements[range])
    }

    /// The indices of the objects whose key starts with `prefix`.
    static func range(ofPrefix prefix: String, in elements: [CachedObject<Attributes>]) -> Range<Int> {
        if prefix.isEmpty { return elements.indices }
        let start = Self.lowerBound(prefix, in: elements)
        // From `start` on, the keys with the prefix come first: find where they end.
        var low = start
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.hasPrefix(elements[middle].key, prefix) { low = middle + 1 } else { high = middle }
        }
        return start..<low
    }

    /// The index of the first object whose key does not sort before `key`.
    static func lowerBound(_ key: String, in elements: [CachedObject<Attributes>]) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if KeyOrder.precedes(elements[middle].key, key) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func isStrictlySorted(_ objects: [CachedObject<Attributes>]) -> Bool {
        var index = 1
        while index < objects.count {
            guard KeyOrder.precedes(objects[index - 1].key, objects[index].key) else { return false }
            index += 1
        }
        return true
    }

    private static func sortedKeepingLast(_ objects: [CachedObject<Attributes>]) -> [CachedObject<Attributes>] {
        let ordered = objects.enumerated().sorted { lhs, rhs in
            if lhs.element.key == rhs.element.key { return lhs.offset < rhs.offset }
            return KeyOrder.precedes(lhs.element.key, rhs.element.key)
        }
        var result: [CachedObject<Attributes>] = []
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
