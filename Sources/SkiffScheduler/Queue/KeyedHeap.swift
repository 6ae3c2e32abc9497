import SkiffAPIMachinery
/// A binary heap whose elements can be found, updated and removed by key (↔ `internal/heap`).
struct KeyedHeap<Element> {
    private(set) var items: [Element] = []
    private var positions: [String: Int] = [:]
    let key: (Element) -> String
    let less: (Element, Element) -> Bool

    init(key: @escaping (Element) -> String, less: @escaping (Element, Element) -> Bool) {
        self.key = key
        self.less = less
    }

    var count: Int { self.items.count }
    var isEmpty: Bool { self.items.isEmpty }
    var peek: Element? { self.items.first }

    func contains(_ key: String) -> Bool { self.positions[key] != nil }

    func get(_ key: String) -> Element? { self.positions[key].map { self.items[$0] } }

    /// Adds or replaces the element with the same key.
    mutating func push(_ element: Element) {
        let key = self.key(element)
        if let index = self.positions[key] {
            self.items[index] = element
            self.fix(index)
            return
        }
        self.items.append(element)
        self.positions[key] = self.items.count - 1
        self.up(self.items.count - 1)
    }

    mutating func pop() -> Element? {
        guard !self.items.isEmpty else { return nil }
        return self.remove(at: 0)
    }

    @discardableResult
    mutating func remove(_ key: String) -> Element? {
        guard let index = self.positions[key] else { return nil }
        return self.remove(at: index)
    }

    private mutating func remove(at index: Int) -> Element {
        let last = self.items.count - 1
        if index != last { self.swapAt(index, last) }
        let element = self.items.removeLast()
        self.positions[self.key(element)] = nil
        if index < self.items.count { self.fix(index) }
        return element
    }

    private mutating func fix(_ index: Int) {
        if !self.down(index) { self.up(index) }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        self.items.swapAt(i, j)
        self.positions[self.key(self.items[i])] = i
        self.positions[self.key(self.items[j])] = j
    }

    private mutating func up(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.less(self.items[child], self.items[parent]) else { break }
            self.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    private mutating func down(_ index: Int) -> Bool {
        var parent = index
        let count = self.items.count
        while true {
            let left = 2 * parent + 1
            if left >= count { break }
            var smallest = left
            let right = left + 1
            if right < count && self.less(self.items[right], self.items[left]) { smallest = right }
            guard self.less(self.items[smallest], self.items[parent]) else { break }
            self.swapAt(parent, smallest)
            parent = smallest
        }
        return parent > index
    }
}
