/// The last changes a ``Cacher`` applied, for watches that resume after a past revision.
///
/// A ring of at most `capacity` events in revision order, grown on demand. ``floor`` is the revision after which
/// the ring holds every change: a watch can resume after any revision `>= floor`; evicting the oldest event raises
/// it to that event's revision.
struct HistoryRing<Attributes: Sendable>: Sendable {
    private var storage: [CacheEvent<Attributes>] = []
    /// The physical index of the oldest event once the ring is full (`0` until then).
    private var head = 0
    let capacity: Int
    /// Every change with a revision above this one is in the ring.
    private(set) var floor: Revision

    /// Makes an empty ring that covers everything after `floor` (the revision of the list it starts from).
    init(capacity: Int, floor: Revision) {
        self.capacity = max(1, capacity)
        self.floor = floor
    }

    var count: Int { self.storage.count }

    /// Appends a change, which must follow every change appended before, evicting the oldest one when full.
    mutating func append(_ event: CacheEvent<Attributes>) {
        if self.storage.count < self.capacity {
            self.storage.append(event)
        } else {
            self.floor = self.storage[self.head].revision
            self.storage[self.head] = event
            self.head = (self.head + 1) % self.capacity
        }
    }

    /// Forgets every change and starts over after `floor`.
    mutating func reset(floor: Revision) {
        self.storage.removeAll()
        self.head = 0
        self.floor = floor
    }

    /// The event at logical position `position` (0 is the oldest).
    subscript(position: Int) -> CacheEvent<Attributes> {
        self.storage[(self.head + position) % self.storage.count]
    }

    /// The changes with a revision above `revision` whose key starts with `prefix`, oldest first; `nil` when the
    /// ring no longer covers them all (`revision < floor`).
    func events(after revision: Revision, prefix: String) -> [CacheEvent<Attributes>]? {
        guard revision >= self.floor else { return nil }
        var low = 0
        var high = self.count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].revision <= revision { low = middle + 1 } else { high = middle }
        }
        var result: [CacheEvent<Attributes>] = []
        for position in low..<self.count {
            let event = self[position]
            if let key = event.key, KeyOrder.hasPrefix(key, prefix) { result.append(event) }
        }
        return result
    }
}
