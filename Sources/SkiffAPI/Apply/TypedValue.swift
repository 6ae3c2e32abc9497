import SkiffAPIMachinery

/// The typed operations server-side apply needs, over ``JSONValue`` trees and an ``ApplyType``
/// (↔ structured-merge-diff `typed.TypedValue`: `ToFieldSet`, `Compare`, `Merge`, `RemoveItems`).
///
/// Sets are relative to the value they describe: the paths *below* it (its own membership is its parent's
/// business).
enum TypedValue {
    /// What changed between two values: paths added, modified (a leaf with another value) and removed.
    struct Comparison {
        var added = FieldSet()
        var modified = FieldSet()
        var removed = FieldSet()

        var isSame: Bool { self.added.isEmpty && self.modified.isEmpty && self.removed.isEmpty }

        /// Each set without the paths in `ignored` and below them.
        func excluding(_ ignored: FieldSet) -> Comparison {
            Comparison(
                added: self.added.recursivelySubtracting(ignored),
                modified: self.modified.recursivelySubtracting(ignored),
                removed: self.removed.recursivelySubtracting(ignored)
            )
        }
    }

    /// An applied configuration that cannot be typed (a list element without its key).
    struct TypeError: Error, Sendable {
        var message: String
    }

    /// Defaults of list-map key fields, as upstream's schema declares them (`protocol` defaults to `TCP`).
    private static let keyDefaults: [String: JSONValue] = ["protocol": "TCP"]

    /// Whether values of `type` are walked member by member.
    private static func isContainer(_ type: ApplyType, _ value: JSONValue?) -> Bool {
        switch (type, value) {
        case (.structure, .object?), (.map, .object?), (.untyped, .object?): return true
        case (.associativeList, .array?), (.setList, .array?): return true
        default: return false
        }
    }

    /// The path element of a list element.
    static func element(_ item: JSONValue, at index: Int, in type: ApplyType, strict: Bool) throws(TypeError) -> PathElement {
        switch type {
        case .associativeList(_, let keys) where !keys.isEmpty:
            guard case .object(let object) = item else {
                if strict { throw TypeError(message: "expected an object in an associative list") }
                return .index(index)
            }
            var fields: [ListKeyField] = []
            fields.reserveCapacity(keys.count)
            for key in keys {
                if let value = object[key], value != .null {
                    fields.append(ListKeyField(name: key, value: value))
                } else if let value = Self.keyDefaults[key] {
                    fields.append(ListKeyField(name: key, value: value))
                } else if strict {
                    throw TypeError(
                        message:
                            "associative list with keys has an element that omits key field \"\(key)\" (and doesn't have default value)"
                    )
                }
            }
            return .key(ListKey(keyFields: fields))
        case .setList:
            return .value(item)
        default:
            return .index(index)
        }
    }

    // MARK: Field sets

    /// The paths a value sets (↔ `ToFieldSet`): leaves, atomic values, list elements, map entries, and struct
    /// fields that are null or empty objects.
    static func fieldSet(_ value: JSONValue, type: ApplyType, strict: Bool = false) throws(TypeError) -> FieldSet {
        var nodes: [FieldSet.Node] = []
        switch (type, value) {
        case (.structure, .object(let object)), (.map, .object(let object)), (.untyped, .object(let object)):
            for (name, child) in object {
                let element = PathElement.field(name)
                let declared = type.member(name)
                let childType = declared ?? .untyped
                if Self.isContainer(childType, child) {
                    let nested = try Self.fieldSet(child, type: childType, strict: strict)
                    let isField = type.isStructure && declared != nil
                    let isMember = !isField || Self.isEmptyObject(child)
                    nodes.append(FieldSet.Node(element: element, isMember: isMember, children: nested))
                } else {
                    nodes.append(FieldSet.Node(element: element, isMember: true, children: FieldSet()))
                }
            }
        case (.associativeList, .array(let items)), (.setList, .array(let items)):
            let elementType = type.element
            for (index, item) in items.enumerated() {
                let element = try Self.element(item, at: index, in: type, strict: strict)
                let nested = Self.isContainer(elementType, item) ? try Self.fieldSet(item, type: elementType, strict: strict) : FieldSet()
                nodes.append(FieldSet.Node(element: element, isMember: true, children: nested))
            }
        default:
            break
        }
        // Object members come in document order, and a list may repeat an element: sorted and merged here.
        return FieldSet(unsortedNodes: nodes)
    }

    private static func isEmptyObject(_ value: JSONValue) -> Bool {
        if case .object(let object) = value { return object.isEmpty }
        return false
    }

    /// `set` with the named fields of structs that have paths below them added as members
    /// (↔ `EnsureNamedFieldsAreMembers`), so that pruning compares struct fields too.
    static func ensuringNamedFieldsAreMembers(_ set: FieldSet, type: ApplyType) -> FieldSet {
        guard set.nodes.contains(where: { !$0.children.isEmpty }) else { return set }
        return FieldSet(
            sortedNodes: set.nodes.map { node in
                guard !node.children.isEmpty else { return node }
                var node = node
                let childType: ApplyType
                switch node.element {
                case .field(let name): childType = type.member(name) ?? .untyped
                default: childType = type.element
                }
                node.children = Self.ensuringNamedFieldsAreMembers(node.children, type: childType)
                if case .field(let name) = node.element, type.isStructure, type.member(name) != nil {
                    node.isMember = true
                }
                return node
            }
        )
    }

    // MARK: Comparing

    /// What changed from `lhs` to `rhs` (↔ `Compare`). A value that appears is added with everything below it,
    /// except the fields Go holds by value (``ApplyType/isValueField(_:)``), which exist whenever their parent
    /// does: only their contents are added, as upstream compares against Go objects. Subtrees that share storage
    /// are not walked.
    static func compare(_ lhs: JSONValue?, _ rhs: JSONValue?, type: ApplyType) -> Comparison {
        var result = ComparisonNodes()
        switch type {
        case .structure, .map, .untyped:
            let left = lhs?.objectValue
            let right = rhs?.objectValue
            let present = (left: left != nil, right: right != nil)
            if left?.isEmpty ?? true, let right { result.added.reserveCapacity(right.count) }
            if let left {
                for (name, value) in left {
                    Self.compareChild(
                        .field(name),
                        value,
                        right?[name],
                        type: type.member(name) ?? .untyped,
                        parent: type,
                        present: present,
                        into: &result
                    )
                }
            }
            if let right {
                for (name, value) in right where left?[name] == nil {
                    Self.compareChild(
                        .field(name),
                        nil,
                        value,
                        type: type.member(name) ?? .untyped,
                        parent: type,
                        present: present,
                        into: &result
                    )
                }
            }
        case .associativeList, .setList:
            let left = Self.index(lhs?.arrayValue ?? [], type: type)
            let right = Self.index(rhs?.arrayValue ?? [], type: type)
            let elementType = type.element
            let present = (left: true, right: true)
            for (element, value) in left.ordered {
                Self.compareChild(
                    element,
                    value,
                    right.items[element],
                    type: elementType,
                    parent: type,
                    present: present,
                    into: &result
                )
            }
            for (element, value) in right.ordered where left.items[element] == nil {
                Self.compareChild(element, nil, value, type: elementType, parent: type, present: present, into: &result)
            }
        case .leaf:
            break
        }
        return result.comparison
    }

    /// A ``Comparison`` being built: the nodes of its three sets, in the order the walk meets them.
    private struct ComparisonNodes {
        var added: [FieldSet.Node] = []
        var modified: [FieldSet.Node] = []
        var removed: [FieldSet.Node] = []

        var comparison: Comparison {
            Comparison(
                added: FieldSet(unsortedNodes: self.added),
                modified: FieldSet(unsortedNodes: self.modified),
                removed: FieldSet(unsortedNodes: self.removed)
            )
        }
    }

    private static func compareChild(
        _ element: PathElement,
        _ lhs: JSONValue?,
        _ rhs: JSONValue?,
        type: ApplyType,
        parent: ApplyType,
        present: (left: Bool, right: Bool),
        into result: inout ComparisonNodes
    ) {
        var lhs = lhs
        var rhs = rhs
        if let lhs, let rhs, Self.isIdentical(lhs, rhs) { return }
        if case .field(let name) = element, (lhs == nil) != (rhs == nil), parent.isValueField(name) {
            // A field Go holds by value exists, empty, wherever its parent does.
            if lhs == nil && present.left { lhs = Self.emptyValue(like: rhs) }
            if rhs == nil && present.right { rhs = Self.emptyValue(like: lhs) }
        }
        let leftContainer = lhs.map { Self.isContainer(type, $0) } ?? true
        let rightContainer = rhs.map { Self.isContainer(type, $0) } ?? true
        guard leftContainer && rightContainer && (lhs != nil || rhs != nil) else {
            // A leaf (or a value whose shape changed): compared as a whole.
            let leaf = FieldSet.Node(element: element, isMember: true, children: FieldSet())
            if lhs == nil {
                result.added.append(leaf)
            } else if rhs == nil {
                result.removed.append(leaf)
            } else if lhs != rhs {
                result.modified.append(leaf)
            }
            return
        }
        let nested = Self.compare(lhs, rhs, type: type)
        if lhs == nil || !nested.added.isEmpty {
            result.added.append(FieldSet.Node(element: element, isMember: lhs == nil, children: nested.added))
        }
        if !nested.modified.isEmpty {
            result.modified.append(FieldSet.Node(element: element, isMember: false, children: nested.modified))
        }
        if (rhs == nil && lhs != nil) || !nested.removed.isEmpty {
            result.removed.append(
                FieldSet.Node(element: element, isMember: rhs == nil && lhs != nil, children: nested.removed)
            )
        }
    }

    /// The empty value of the shape of `value`: Go's zero struct or list.
    private static func emptyValue(like value: JSONValue?) -> JSONValue {
        if case .array? = value { return .array([]) }
        return .object(JSONObject())
    }

    /// Whether two values share their storage (or are equal scalars): then they are equal, without a walk.
    @inline(__always)
    static func isIdentical(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.members.withUnsafeBufferPointer { x in
                b.members.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count }
            }
        case (.array(let a), .array(let b)):
            return a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count }
            }
        case (.object, _), (.array, _), (_, .object), (_, .array):
            return false
        default:
            return lhs == rhs
        }
    }

    /// A list's elements by path element (the first of duplicates wins), and in order.
    private static func index(_ items: [JSONValue], type: ApplyType) -> (items: [PathElement: JSONValue], ordered: [(PathElement, JSONValue)]) {
        var byElement: [PathElement: JSONValue] = [:]
        var ordered: [(PathElement, JSONValue)] = []
        byElement.reserveCapacity(items.count)
        ordered.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let element = (try? Self.element(item, at: index, in: type, strict: false)) ?? .index(index)
            if byElement[element] == nil {
                byElement[element] = item
                ordered.append((element, item))
            }
        }
        return (byElement, ordered)
    }

    // MARK: Merging

    /// `rhs` (an applied configuration) merged into `lhs` (the live object) (↔ `Merge`): struct fields and map
    /// entries merge recursively, associative and set lists merge by element, everything else is replaced.
    /// Whatever the configuration leaves unchanged keeps the live value's storage, so that comparing the result
    /// with the live object skips it.
    static func merge(_ lhs: JSONValue, _ rhs: JSONValue, type: ApplyType) -> JSONValue {
        guard Self.isContainer(type, lhs), Self.isContainer(type, rhs) else {
            return Self.isIdentical(lhs, rhs) || lhs == rhs ? lhs : rhs
        }
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)):
            var result = left  // copied on the first change only
            for (name, value) in right {
                if let existing = left[name] {
                    let merged = Self.merge(existing, value, type: type.member(name) ?? .untyped)
                    if !Self.isIdentical(merged, existing) { result[name] = merged }
                } else {
                    result[name] = value
                }
            }
            return .object(result)
        case (.array(let left), .array(let right)):
            let merged = Self.mergeList(left, right, type: type)
            if merged.count == left.count && zip(merged, left).allSatisfy({ Self.isIdentical($0, $1) }) {
                return lhs
            }
            return .array(merged)
        default:
            return rhs
        }
    }

    /// Merges list elements by path element, keeping the live order for live-only elements and the applied
    /// order for the applied ones (↔ structured-merge-diff's `visitListItems`).
    private static func mergeList(_ left: [JSONValue], _ right: [JSONValue], type: ApplyType) -> [JSONValue] {
        let lhs = Self.index(left, type: type)
        let rhs = Self.index(right, type: type)
        let elementType = type.element
        let leftElements = lhs.ordered.map(\.0)
        let rightElements = rhs.ordered.map(\.0)
        var shared = rightElements.filter { lhs.items[$0] != nil }[...]
        var out: [JSONValue] = []
        out.reserveCapacity(max(left.count, right.count))
        var merged = Set<PathElement>()
        func mergedItem(_ element: PathElement) -> JSONValue {
            let r = rhs.items[element]!
            if let l = lhs.items[element] { return Self.merge(l, r, type: elementType) }
            return r
        }
        var (l, r) = (0, 0)
        while l < leftElements.count || r < rightElements.count {
            if l < leftElements.count && r < rightElements.count {
                let element = leftElements[l]
                if element == rightElements[r] {
                    merged.insert(element)
                    out.append(mergedItem(element))
                    l += 1
                    r += 1
                    if shared.first == element { shared.removeFirst() }
                    continue
                }
                if rhs.items[element] != nil, let next = shared.first, next != element {
                    l += 1
                    continue
                }
            }
            if l < leftElements.count {
                let element = leftElements[l]
                if rhs.items[element] == nil {
                    out.append(lhs.items[element]!)
                    l += 1
                    continue
                } else if merged.contains(element) {
                    l += 1
                    continue
                }
            }
            if r < rightElements.count {
                let element = rightElements[r]
                merged.insert(element)
                out.append(mergedItem(element))
                r += 1
                if shared.first == element { shared.removeFirst() }
            } else {
                l += 1
            }
        }
        return out
    }

    // MARK: Pruning

    /// What an apply prunes: the paths the manager applied last time (`last`) that `value` (the merged object)
    /// still has and no manager (`owners`, with the new configuration) owns, each with struct fields that have
    /// paths below them counted as members (↔ `EnsureNamedFieldsAreMembers` on every set).
    ///
    /// Equals `E(last) ∩ E(fieldSet(value)) − E(∪ owners)`, computed in one walk of `last` alone: the object's
    /// field set, the owners' union and the ensured sets are never built.
    static func prunable(last: FieldSet, value: JSONValue, owners: [FieldSet], type: ApplyType) -> FieldSet {
        var result = FieldSet()
        guard Self.isContainer(type, value) else { return result }
        let object = value.objectValue
        let items = object == nil ? Self.index(value.arrayValue ?? [], type: type).items : [:]
        func child(_ element: PathElement) -> JSONValue? {
            if let object {
                guard case .field(let name) = element else { return nil }
                return object[name]
            }
            return items[element]
        }
        func childType(_ element: PathElement) -> ApplyType {
            if case .field(let name) = element { return type.member(name) ?? .untyped }
            return type.element
        }
        func isNamedField(_ element: PathElement) -> Bool {
            guard type.isStructure, case .field(let name) = element else { return false }
            return type.member(name) != nil
        }
        func isOwned(_ element: PathElement) -> Bool {
            let named = isNamedField(element)
            for owner in owners {
                if owner.isMember(element) || (named && owner.children(of: element) != nil) { return true }
            }
            return false
        }
        func consider(_ element: PathElement) {
            guard let present = child(element) else { return }
            if object != nil {
                let type = childType(element)
                // A member of the object's (ensured) field set: see `fieldSet` and `ensuringNamedFieldsAreMembers`.
                if Self.isContainer(type, present) && isNamedField(element) && !Self.isEmptyObject(present)
                    && !Self.hasPaths(present, type: type)
                {
                    return
                }
            }
            if !isOwned(element) { result.insertMember(element) }
        }
        for node in last.nodes where node.isMember { consider(node.element) }
        for node in last.nodes where !node.children.isEmpty {
            let (element, nested) = (node.element, node.children)
            if isNamedField(element) && !node.isMember { consider(element) }
            guard let present = child(element) else { continue }
            let type = childType(element)
            guard Self.isContainer(type, present) else { continue }
            var below: [FieldSet] = []
            for owner in owners { if let ownerChild = owner.children(of: element) { below.append(ownerChild) } }
            let pruned = Self.prunable(last: nested, value: present, owners: below, type: type)
            if !pruned.isEmpty { result.setChildren(pruned, of: element) }
        }
        return result
    }

    /// Whether ``fieldSet(_:type:strict:)`` of `value` has any path.
    private static func hasPaths(_ value: JSONValue, type: ApplyType) -> Bool {
        switch (type, value) {
        case (.structure, .object(let object)), (.map, .object(let object)), (.untyped, .object(let object)):
            for (name, child) in object {
                let declared = type.member(name)
                let childType = declared ?? .untyped
                guard Self.isContainer(childType, child) else { return true }
                if !(type.isStructure && declared != nil) || Self.isEmptyObject(child) { return true }
                if Self.hasPaths(child, type: childType) { return true }
            }
            return false
        case (.associativeList, .array(let items)), (.setList, .array(let items)):
            return !items.isEmpty
        default:
            return false
        }
    }

    // MARK: Removing

    /// `value` without the paths of `set` (each removed with everything below it) (↔ `RemoveItems`).
    static func removing(_ set: FieldSet, from value: JSONValue, type: ApplyType) -> JSONValue {
        guard !set.isEmpty, Self.isContainer(type, value) else { return value }
        switch value {
        case .object(let object):
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(object.count)
            for (name, child) in object {
                let element = PathElement.field(name)
                if set.isMember(element) { continue }
                if let nested = set.children(of: element) {
                    members.append((name, Self.removing(nested, from: child, type: type.member(name) ?? .untyped)))
                } else {
                    members.append((name, child))
                }
            }
            return .object(JSONObject(members))
        case .array(let items):
            var kept: [JSONValue] = []
            kept.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                let element = (try? Self.element(item, at: index, in: type, strict: false)) ?? .index(index)
                if set.isMember(element) { continue }
                if let nested = set.children(of: element) {
                    kept.append(Self.removing(nested, from: item, type: type.element))
                } else {
                    kept.append(item)
                }
            }
            return .array(kept)
        default:
            return value
        }
    }
}
