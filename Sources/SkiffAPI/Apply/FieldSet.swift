public import SkiffAPIMachinery

/// A set of field paths, kept as a tree (↔ structured-merge-diff `fieldpath.Set`).
///
/// A node has *members* (paths that end here) and *children* (sets of longer paths, keyed by their next
/// element). A path is in the set when its last element is a member of the node its prefix leads to. Children are
/// never empty. The set is what `metadata.managedFields[].fieldsV1` encodes.
///
/// ## Topics
/// ### Building
/// - ``insert(_:)``
/// - ``init(fieldsV1:)``
/// ### Querying
/// - ``contains(_:)``
/// - ``isEmpty``
/// - ``paths``
/// ### Operations
/// - ``union(_:)``
/// - ``intersection(_:)``
/// - ``subtracting(_:)``
/// - ``recursivelySubtracting(_:)``
/// ### Encoding
/// - ``fieldsV1``
public struct FieldSet: Hashable, Sendable {
    /// Elements whose path ends at this node.
    public internal(set) var members: Set<PathElement>
    /// Longer paths, by their next element.
    public internal(set) var children: [PathElement: FieldSet]

    /// The empty set.
    public init() {
        self.members = []
        self.children = [:]
    }

    /// A set of the given paths.
    public init(_ paths: [FieldSetPath]) {
        self.init()
        for path in paths { self.insert(path) }
    }

    /// Whether the set has no paths.
    public var isEmpty: Bool { self.members.isEmpty && self.children.isEmpty }

    /// Adds `path` (the empty path is ignored).
    public mutating func insert(_ path: FieldSetPath) {
        self.insert(path.elements[...])
    }

    mutating func insert(_ elements: ArraySlice<PathElement>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            self.members.insert(first)
        } else {
            self.children[first, default: FieldSet()].insert(elements.dropFirst())
        }
    }

    /// Whether `path` is in the set.
    public func contains(_ path: FieldSetPath) -> Bool {
        var node = self
        for (offset, element) in path.elements.enumerated() {
            if offset == path.elements.count - 1 { return node.members.contains(element) }
            guard let child = node.children[element] else { return false }
            node = child
        }
        return false
    }

    /// The paths below `element`.
    public func child(_ element: PathElement) -> FieldSet { self.children[element] ?? FieldSet() }

    /// Every path, in upstream's iteration order: a node's members (sorted), then its children's paths.
    public var paths: [FieldSetPath] {
        var result: [FieldSetPath] = []
        self.collect(prefix: [], into: &result)
        return result
    }

    private func collect(prefix: [PathElement], into result: inout [FieldSetPath]) {
        for member in self.members.sorted() { result.append(FieldSetPath(prefix + [member])) }
        for key in self.children.keys.sorted() {
            self.children[key]!.collect(prefix: prefix + [key], into: &result)
        }
    }

    /// The number of paths.
    public var count: Int { self.members.count + self.children.values.reduce(0) { $0 + $1.count } }

    // MARK: Operations

    /// The paths in either set.
    public func union(_ other: FieldSet) -> FieldSet {
        if other.isEmpty { return self }
        if self.isEmpty { return other }
        var result = self
        result.formUnion(other)
        return result
    }

    /// Adds every path of `other`.
    public mutating func formUnion(_ other: FieldSet) {
        self.members.formUnion(other.members)
        for (element, child) in other.children {
            if let existing = self.children[element] {
                self.children[element] = existing.union(child)
            } else {
                self.children[element] = child
            }
        }
    }

    /// The paths in both sets.
    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        if self.isEmpty || other.isEmpty { return result }
        result.members = self.members.intersection(other.members)
        // Walk the smaller of the two (the result is the same either way).
        let (small, large) = self.children.count <= other.children.count ? (self, other) : (other, self)
        for (element, child) in small.children {
            guard let otherChild = large.children[element] else { continue }
            let both = child.intersection(otherChild)
            if !both.isEmpty { result.children[element] = both }
        }
        return result
    }

    /// Whether no path is in both sets, so that ``subtracting(_:)`` either way leaves a set unchanged.
    public func isDisjoint(with other: FieldSet) -> Bool {
        if self.isEmpty || other.isEmpty { return true }
        if !self.members.isDisjoint(with: other.members) { return false }
        let (small, large) = self.children.count <= other.children.count ? (self, other) : (other, self)
        for (element, child) in small.children {
            if let otherChild = large.children[element], !child.isDisjoint(with: otherChild) { return false }
        }
        return true
    }

    /// The paths of this set that are not in `other` (a path's descendants stay unless listed themselves).
    public func subtracting(_ other: FieldSet) -> FieldSet {
        if self.isEmpty || other.isEmpty { return self }
        var result = FieldSet()
        result.members = self.members.subtracting(other.members)
        for (element, child) in self.children {
            if let otherChild = other.children[element] {
                let rest = child.subtracting(otherChild)
                if !rest.isEmpty { result.children[element] = rest }
            } else {
                result.children[element] = child
            }
        }
        return result
    }

    /// The paths of this set that are neither in `other` nor below a path of `other` (↔ `RecursiveDifference`).
    public func recursivelySubtracting(_ other: FieldSet) -> FieldSet {
        if self.isEmpty || other.isEmpty { return self }
        var result = FieldSet()
        result.members = self.members.subtracting(other.members)
        for (element, child) in self.children where !other.members.contains(element) {
            if let otherChild = other.children[element] {
                let rest = child.recursivelySubtracting(otherChild)
                if !rest.isEmpty { result.children[element] = rest }
            } else {
                result.children[element] = child
            }
        }
        return result
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
        self.init()
        for (key, child) in object {
            if key == "." { continue }
            guard let element = PathElement(fieldsV1Key: key) else {
                throw FieldSetError("unable to parse the path element \(key)")
            }
            guard case .object(let members) = child else {
                throw FieldSetError("expected an object at \(key)")
            }
            if members.isEmpty {
                self.members.insert(element)
                continue
            }
            if members["."] != nil { self.members.insert(element) }
            let nested = try FieldSet(fieldsV1: child)
            if !nested.isEmpty { self.children[element] = nested }
        }
    }

    /// The set as FieldsV1, in upstream's canonical order: `.` first, then elements sorted, a member that also
    /// has children written once with `".": {}` inside.
    public var fieldsV1: JSONValue { .object(self.fieldsV1Object(includeSelf: false)) }

    private func fieldsV1Object(includeSelf: Bool) -> JSONObject {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(self.members.count + self.children.count + 1)
        if includeSelf { members.append((".", .object(JSONObject()))) }
        var elements = Array(self.members.union(self.children.keys))
        elements.sort()
        for element in elements {
            if let child = self.children[element] {
                let nested = child.fieldsV1Object(includeSelf: self.members.contains(element))
                members.append((element.fieldsV1Key, .object(nested)))
            } else {
                members.append((element.fieldsV1Key, .object(JSONObject())))
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
