public import SkiffAPIMachinery

/// A set of field paths, kept as a tree (↔ structured-merge-diff `fieldpath.Set`).
///
/// Each node of the tree is a sorted list of elements. An element is a *member* (a path ends there), has
/// *children* (a set of longer paths through it), or both; children are never empty. A path is in the set when its
/// last element is a member of the node its prefix leads to. The set is what `metadata.managedFields[].fieldsV1`
/// encodes.
///
/// Elements are kept sorted in upstream's order (``PathElement/compare(_:)``), so set operations are merges of
/// sorted lists and the FieldsV1 encoding is a walk, with no hashing: these run on every write of every object.
///
/// ## Topics
/// ### Building
/// - ``insert(_:)``
/// - ``init(fieldsV1:)``
/// ### Querying
/// - ``contains(_:)``
/// - ``isEmpty``
/// - ``paths``
/// - ``child(_:)``
/// ### Operations
/// - ``union(_:)``
/// - ``intersection(_:)``
/// - ``subtracting(_:)``
/// - ``recursivelySubtracting(_:)``
/// ### Encoding
/// - ``fieldsV1``
public struct FieldSet: Hashable, Sendable {
    /// One element of a node.
    struct Node: Hashable, Sendable {
        var element: PathElement
        /// Whether a path ends at this element.
        var isMember: Bool
        /// The longer paths through this element (empty when there are none).
        var children: FieldSet
    }

    /// The elements of this node, sorted, each once; every one is a member or has children.
    private(set) var nodes: [Node]

    /// The empty set.
    public init() { self.nodes = [] }

    /// A set of the given paths.
    public init(_ paths: [FieldSetPath]) {
        self.init()
        for path in paths { self.insert(path) }
    }

    /// A node from nodes already sorted, each element once.
    init(sortedNodes: [Node]) { self.nodes = sortedNodes }

    /// A node from nodes in any order; nodes of the same element are merged (a member if either is, their
    /// children united) and empty ones dropped.
    init(unsortedNodes: [Node]) {
        var nodes = unsortedNodes
        nodes.sort { $0.element.compare($1.element) < 0 }
        var merged: [Node] = []
        merged.reserveCapacity(nodes.count)
        for node in nodes where node.isMember || !node.children.isEmpty {
            if let last = merged.last, last.element == node.element {
                merged[merged.count - 1].isMember = last.isMember || node.isMember
                merged[merged.count - 1].children = last.children.union(node.children)
            } else {
                merged.append(node)
            }
        }
        self.nodes = merged
    }

    /// Whether the set has no paths.
    public var isEmpty: Bool { self.nodes.isEmpty }

    /// Where `element` is in this node, or where it would go.
    private func position(of element: PathElement) -> (index: Int, found: Bool) {
        var low = 0
        var high = self.nodes.count
        while low < high {
            let middle = (low + high) / 2
            let order = self.nodes[middle].element.compare(element)
            if order == 0 { return (middle, true) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    /// Whether the one-element path `element` is in the set.
    func isMember(_ element: PathElement) -> Bool {
        let (index, found) = self.position(of: element)
        return found && self.nodes[index].isMember
    }

    /// The paths below `element`, or `nil` when there are none.
    func children(of element: PathElement) -> FieldSet? {
        let (index, found) = self.position(of: element)
        guard found, !self.nodes[index].children.isEmpty else { return nil }
        return self.nodes[index].children
    }

    /// Makes the one-element path `element` a member.
    mutating func insertMember(_ element: PathElement) {
        let (index, found) = self.position(of: element)
        if found {
            self.nodes[index].isMember = true
        } else {
            self.nodes.insert(Node(element: element, isMember: true, children: FieldSet()), at: index)
        }
    }

    /// Replaces the paths below `element` with `children`.
    mutating func setChildren(_ children: FieldSet, of element: PathElement) {
        let (index, found) = self.position(of: element)
        if found {
            if children.isEmpty && !self.nodes[index].isMember {
                self.nodes.remove(at: index)
            } else {
                self.nodes[index].children = children
            }
        } else if !children.isEmpty {
            self.nodes.insert(Node(element: element, isMember: false, children: children), at: index)
        }
    }

    /// Adds `path` (the empty path is ignored).
    public mutating func insert(_ path: FieldSetPath) {
        self.insert(path.elements[...])
    }

    mutating func insert(_ elements: ArraySlice<PathElement>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            self.insertMember(first)
            return
        }
        let (index, found) = self.position(of: first)
        if !found {
            self.nodes.insert(Node(element: first, isMember: false, children: FieldSet()), at: index)
        }
        self.nodes[index].children.insert(elements.dropFirst())
    }

    /// Whether `path` is in the set.
    public func contains(_ path: FieldSetPath) -> Bool {
        guard let last = path.elements.last else { return false }
        var node = self
        for element in path.elements.dropLast() {
            guard let child = node.children(of: element) else { return false }
            node = child
        }
        return node.isMember(last)
    }

    /// The paths below `element`.
    public func child(_ element: PathElement) -> FieldSet { self.children(of: element) ?? FieldSet() }

    /// Every path, in upstream's iteration order: a node's members (sorted), then its children's paths.
    public var paths: [FieldSetPath] {
        var result: [FieldSetPath] = []
        self.collect(prefix: [], into: &result)
        return result
    }

    private func collect(prefix: [PathElement], into result: inout [FieldSetPath]) {
        for node in self.nodes where node.isMember { result.append(FieldSetPath(prefix + [node.element])) }
        for node in self.nodes where !node.children.isEmpty {
            node.children.collect(prefix: prefix + [node.element], into: &result)
        }
    }

    /// The number of paths.
    public var count: Int {
        self.nodes.reduce(0) { $0 + ($1.isMember ? 1 : 0) + $1.children.count }
    }

    // MARK: Operations

    /// Walks two sorted nodes together: `both` for an element in each, `left`/`right` for one in one only; the
    /// nodes returned (when not empty) make the result, still sorted.
    @inline(__always)
    private static func merge(
        _ lhs: FieldSet,
        _ rhs: FieldSet,
        left: (Node) -> Node?,
        right: (Node) -> Node?,
        both: (Node, Node) -> Node?
    ) -> FieldSet {
        var result: [Node] = []
        result.reserveCapacity(max(lhs.nodes.count, rhs.nodes.count))
        var (l, r) = (0, 0)
        func keep(_ node: Node?) {
            if let node, node.isMember || !node.children.isEmpty { result.append(node) }
        }
        while l < lhs.nodes.count && r < rhs.nodes.count {
            let order = lhs.nodes[l].element.compare(rhs.nodes[r].element)
            if order == 0 {
                keep(both(lhs.nodes[l], rhs.nodes[r]))
                l += 1
                r += 1
            } else if order < 0 {
                keep(left(lhs.nodes[l]))
                l += 1
            } else {
                keep(right(rhs.nodes[r]))
                r += 1
            }
        }
        while l < lhs.nodes.count {
            keep(left(lhs.nodes[l]))
            l += 1
        }
        while r < rhs.nodes.count {
            keep(right(rhs.nodes[r]))
            r += 1
        }
        return FieldSet(sortedNodes: result)
    }

    /// The paths in either set.
    public func union(_ other: FieldSet) -> FieldSet {
        if other.isEmpty { return self }
        if self.isEmpty { return other }
        return Self.merge(self, other, left: { $0 }, right: { $0 }) { a, b in
            Node(element: a.element, isMember: a.isMember || b.isMember, children: a.children.union(b.children))
        }
    }

    /// Adds every path of `other`.
    public mutating func formUnion(_ other: FieldSet) {
        self = self.union(other)
    }

    /// The paths in both sets.
    public func intersection(_ other: FieldSet) -> FieldSet {
        if self.isEmpty || other.isEmpty { return FieldSet() }
        return Self.merge(self, other, left: { _ in nil }, right: { _ in nil }) { a, b in
            Node(
                element: a.element,
                isMember: a.isMember && b.isMember,
                children: a.children.intersection(b.children)
            )
        }
    }

    /// Whether no path is in both sets, so that ``subtracting(_:)`` either way leaves a set unchanged.
    public func isDisjoint(with other: FieldSet) -> Bool {
        if self.isEmpty || other.isEmpty { return true }
        var (l, r) = (0, 0)
        while l < self.nodes.count && r < other.nodes.count {
            let order = self.nodes[l].element.compare(other.nodes[r].element)
            if order == 0 {
                let (a, b) = (self.nodes[l], other.nodes[r])
                if a.isMember && b.isMember { return false }
                if !a.children.isDisjoint(with: b.children) { return false }
                l += 1
                r += 1
            } else if order < 0 {
                l += 1
            } else {
                r += 1
            }
        }
        return true
    }

    /// The paths of this set that are not in `other` (a path's descendants stay unless listed themselves).
    public func subtracting(_ other: FieldSet) -> FieldSet {
        if self.isEmpty || other.isEmpty { return self }
        return Self.merge(self, other, left: { $0 }, right: { _ in nil }) { a, b in
            Node(
                element: a.element,
                isMember: a.isMember && !b.isMember,
                children: a.children.subtracting(b.children)
            )
        }
    }

    /// The paths of this set that are neither in `other` nor below a path of `other` (↔ `RecursiveDifference`).
    public func recursivelySubtracting(_ other: FieldSet) -> FieldSet {
        if self.isEmpty || other.isEmpty { return self }
        return Self.merge(self, other, left: { $0 }, right: { _ in nil }) { a, b in
            if b.isMember { return nil }
            return Node(element: a.element, isMember: a.isMember, children: a.children.recursivelySubtracting(b.children))
        }
    }
}

// MARK: FieldsV1

extension FieldSet {
    /// Decodes a FieldsV1 document: an object whose keys are ``PathElement/fieldsV1Key`` strings, `{}` for a
    /// member, a nested object for children and `".": {}` for a node that is also a member.
    ///
    /// Throws ``FieldSetError`` for a malformed document.
    public init(fieldsV1 value: JSONValue) throws(FieldSetError) {
        guard case .object(let object) = value else {
            throw FieldSetError("expected an object, got \(value.serialized().count) bytes of another type")
        }
        var nodes: [Node] = []
        nodes.reserveCapacity(object.count)
        var sorted = true
        for (key, child) in object {
            if key == "." { continue }
            guard let element = PathElement(fieldsV1Key: key) else {
                throw FieldSetError("unable to parse the path element \(key)")
            }
            guard case .object(let members) = child else {
                throw FieldSetError("expected an object at \(key)")
            }
            let node: Node
            if members.isEmpty {
                node = Node(element: element, isMember: true, children: FieldSet())
            } else {
                node = Node(element: element, isMember: members["."] != nil, children: try FieldSet(fieldsV1: child))
            }
            if let last = nodes.last, last.element.compare(element) >= 0 { sorted = false }
            nodes.append(node)
        }
        // What this server writes is sorted already; anything else is sorted (and repeats merged) here.
        if sorted {
            self.init(sortedNodes: nodes.filter { $0.isMember || !$0.children.isEmpty })
        } else {
            self.init(unsortedNodes: nodes)
        }
    }

    /// The set as FieldsV1, in upstream's canonical order: `.` first, then elements sorted, a member that also
    /// has children written once with `".": {}` inside.
    public var fieldsV1: JSONValue { .object(self.fieldsV1Object(includeSelf: false)) }

    private func fieldsV1Object(includeSelf: Bool) -> JSONObject {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(self.nodes.count + 1)
        if includeSelf { members.append((".", .object(JSONObject()))) }
        for node in self.nodes {
            if node.children.isEmpty {
                members.append((node.element.fieldsV1Key, .object(JSONObject())))
            } else {
                let nested = node.children.fieldsV1Object(includeSelf: node.isMember)
                members.append((node.element.fieldsV1Key, .object(nested)))
            }
        }
        return JSONObject(members)
    }
}

/// A FieldsV1 document that cannot be decoded.
public struct FieldSetError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}
