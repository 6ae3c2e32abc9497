import SkiffAPIMachinery

/// The merge algorithm behind ``StrategicMergePatch``: pure functions over ``JSONValue`` and a ``PatchSchema``.
///
/// Shaped after apimachinery's `mergeMap` / `mergeSlice` with `MergeParallelList` and `IgnoreUnmatchedNulls` set,
/// as `StrategicMergeMapPatch` runs on the server; see ``StrategicMergePatch`` for the semantics.
enum StrategicMerger {
    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"

    /// Whether `key` starts with `$`, as every directive does: a cheap test before the prefix comparisons.
    @inline(__always)
    static func isDirective(_ key: String) -> Bool { key.utf8.first == UInt8(ascii: "$") }

    // MARK: Objects

    /// Merges the object `patch` into `original`.
    static func mergeObject(
        _ original: JSONObject,
        _ patch: JSONObject,
        schema: PatchSchema
    ) throws(PatchError) -> JSONObject {
        var patch = patch
        if let directive = patch[Self.directiveMarker] {
            switch directive {
            case .string("replace"):
                patch[Self.directiveMarker] = nil
                return try Self.mergeObject(JSONObject(), patch, schema: schema)
            case .string("delete"):
                return JSONObject()
            case .string("merge"):
                patch[Self.directiveMarker] = nil
            default:
                throw .invalidDirective(
                    "unknown patch type: \(directive.goDescription) in map: \(JSONValue.object(patch).goDescription)"
                )
            }
        }
        var original = original

        if let retainKeys = patch[Self.retainKeysDirective] {
            patch[Self.retainKeysDirective] = nil
            try Self.applyRetainKeys(retainKeys, patch: patch, to: &original)
        }

        // `$setElementOrder/<list>` merges its list first and removes both keys from the patch.
        for (key, order) in patch where Self.isDirective(key) && key.hasPrefix(Self.setElementOrderPrefix) {
            patch[key] = nil
            try Self.mergeOrderedList(key: key, order: order, original: &original, patch: &patch, schema: schema)
        }

        for (patchKey, patchValue) in patch {
            var key = patchKey
            var isDeleteList = false
            if Self.isDirective(patchKey) && patchKey.hasPrefix(Self.deleteFromPrimitiveListPrefix) {
                key = try Self.listKey(
                    of: patchKey,
                    prefix: Self.deleteFromPrimitiveListPrefix,
                    error: .invalidPatch("invalid patch format of primitive list")
                )
                isDeleteList = true
            }
            if case .null = patchValue {
                original[key] = nil
                continue
            }
            let field = schema.field(key)
            guard let current = original[key], current != .null else {
                if !isDeleteList { original[key] = try Self.fresh(patchValue, field: field, key: key) }
                continue
            }
            if isDeleteList {
                // Upstream skips a parallel list whose type does not match the live value.
                guard case .array(let toDelete) = patchValue, case .array(let elements) = current else { continue }
                original[key] = .array(elements.filter { !toDelete.contains($0) })
                continue
            }
            switch (current, patchValue) {
            case (.object(let currentObject), .object(let patchObject)):
                original[key] = .null  // let the nested merge own the member's storage
                if field.isReplace {
                    original[key] = .object(try Self.mergeObject(JSONObject(), patchObject, schema: field.valueSchema))
                } else {
                    original[key] = .object(
                        try Self.mergeObject(currentObject, patchObject, schema: field.valueSchema)
                    )
                }
            case (.array(let currentElements), .array(let patchElements)):
                if field.isMerge {
                    original[key] = .null
                    original[key] = .array(try Self.mergeList(currentElements, patchElements, field: field, key: key))
                } else {
                    original[key] = patchValue
                }
            default:
                original[key] = try Self.fresh(patchValue, field: field, key: key)
            }
        }
        return original
    }

    /// A patch value for a member the live object lacks (or has with another type): the patch merged into nothing,
    /// so its directives are applied and its `null`s dropped.
    private static func fresh(_ value: JSONValue, field: PatchSchema.Field, key: String) throws(PatchError) -> JSONValue
    {
        switch value {
        case .object(let object):
            return .object(try Self.mergeObject(JSONObject(), object, schema: field.valueSchema))
        case .array(let elements):
            if field.isMerge { return .array(try Self.mergeList([], elements, field: field, key: key)) }
            return value.discardingNullMembers()
        default:
            return value
        }
    }

    /// `$retainKeys`: checks every non-null, non-directive member of `patch` is listed, then drops the members of
    /// `original` that are not.
    private static func applyRetainKeys(
        _ retainKeys: JSONValue,
        patch: JSONObject,
        to original: inout JSONObject
    ) throws(PatchError) {
        func invalid() -> PatchError { .invalidPatch("invalid patch format of retainKeys") }
        guard case .array(let listed) = retainKeys else { throw invalid() }
        let keep = Set(listed.compactMap(\.stringValue))
        for (key, value) in patch {
            if value == .null || key.hasPrefix(Self.deleteFromPrimitiveListPrefix)
                || key.hasPrefix(Self.setElementOrderPrefix)
            {
                continue
            }
            guard keep.contains(key) else { throw invalid() }
        }
        original = JSONObject(original.members.filter { keep.contains($0.key) })
    }

    /// The list key of a parallel directive key: `containers` for `$setElementOrder/containers`.
    private static func listKey(
        of key: String,
        prefix: String,
        error: @autoclosure () -> PatchError
    ) throws(PatchError) -> String {
        guard let slash = key.firstIndex(of: "/"), key[..<slash] == prefix else { throw error() }
        return String(key[key.index(after: slash)...])
    }

    // MARK: Lists

    /// Merges the list `patch` into `original` for a field with strategy `merge`.
    static func mergeList(
        _ original: [JSONValue],
        _ patch: [JSONValue],
        field: PatchSchema.Field,
        key: String
    ) throws(PatchError) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        guard try Self.elementsAreObjects(original, patch) else {
            // A union of scalars, without duplicates; patch values first unless the live order places them.
            var merged: [JSONValue] = []
            merged.reserveCapacity(original.count + patch.count)
            for element in original where !merged.contains(element) { merged.append(element) }
            for element in patch where !merged.contains(element) { merged.append(element) }
            return Self.normalizeOrder(
                merged,
                patchOrder: patch,
                serverOrder: original,
                identity: { $0 }
            )
        }
        guard let mergeKey = field.mergeKey else {
            throw .invalidPatch("cannot merge lists without merge key for \(key)")
        }
        let elementSchema = field.elementSchema

        // Special elements: `$patch: delete` removes from the live list, `$patch: replace` drops it.
        var original = original
        var plain: [JSONObject] = []
        var replace = false
        for case .object(let element) in patch {
            guard let directive = element[Self.directiveMarker] else {
                plain.append(element)
                continue
            }
            switch directive {
            case .string("delete"):
                guard let value = element[mergeKey] else { throw Self.missingMergeKey(element, mergeKey) }
                original.removeAll { $0[mergeKey] == value }
            case .string("replace"):
                replace = true
            case .string("merge"):
                throw .invalidDirective("merging lists cannot yet be specified in the patch")
            default:
                throw .invalidDirective(
                    "unknown patch type: \(directive.goDescription) in map: \(JSONValue.object(element).goDescription)"
                )
            }
        }
        if replace {
            var replacement: [JSONValue] = []
            replacement.reserveCapacity(plain.count)
            for element in plain {
                replacement.append(.object(try Self.mergeObject(JSONObject(), element, schema: elementSchema)))
            }
            original = replacement
            plain = []
        }

        var merged = original
        var patchOrder: [JSONValue] = []
        patchOrder.reserveCapacity(plain.count)
        for element in plain {
            guard let value = element[mergeKey] else { throw Self.missingMergeKey(element, mergeKey) }
            patchOrder.append(value)
            if let index = merged.firstIndex(where: { $0[mergeKey] == value }),
                case .object(let existing) = merged[index]
            {
                merged[index] = .null
                merged[index] = .object(try Self.mergeObject(existing, element, schema: elementSchema))
            } else {
                merged.append(.object(try Self.mergeObject(JSONObject(), element, schema: elementSchema)))
            }
        }
        // Upstream requires the merge key on every element before ordering.
        var serverOrder: [JSONValue] = []
        serverOrder.reserveCapacity(original.count)
        for case .object(let element) in original {
            guard let value = element[mergeKey] else { throw Self.missingMergeKey(element, mergeKey) }
            serverOrder.append(value)
        }
        return Self.normalizeOrder(
            merged,
            patchOrder: patchOrder,
            serverOrder: serverOrder,
            identity: { $0[mergeKey] ?? .null }
        )
    }

    /// Whether the elements of the lists are objects (`true`) or scalars (`false`); throws for lists of lists or a
    /// mix of objects and scalars.
    private static func elementsAreObjects(_ lists: [JSONValue]...) throws(PatchError) -> Bool {
        var sawObject = false
        var sawScalar = false
        for list in lists {
            for element in list {
                switch element {
                case .array: throw .invalidPatch("lists of lists are not supported")
                case .object: sawObject = true
                default: sawScalar = true
                }
            }
        }
        if sawObject && sawScalar {
            let description = lists.map { JSONValue.array($0).goDescription }.joined(separator: " ")
            throw .invalidPatch("list element types are not identical: [\(description)]")
        }
        return sawObject
    }

    private static func missingMergeKey(_ element: JSONObject, _ mergeKey: String) -> PatchError {
        PatchError(
            code: .missingMergeKey,
            message: "map: \(JSONValue.object(element).goDescription) does not contain declared merge key: \(mergeKey)"
        )
    }

    /// Orders a merged list by upstream's rule (`normalizeElementOrder`).
    ///
    /// The elements named by `patchOrder` come in that order, interleaved with the others in their live order; an
    /// element of the live list goes before a patch element only when the live list has both and puts it first.
    /// `identity` gives an element's merge key value (or the element itself for scalars).
    private static func normalizeOrder(
        _ merged: [JSONValue],
        patchOrder: [JSONValue],
        serverOrder: [JSONValue],
        identity: (JSONValue) -> JSONValue
    ) -> [JSONValue] {
        var patchItems: [(position: Int, element: JSONValue)] = []
        var serverOnly: [(position: Int, element: JSONValue)] = []
        for element in merged {
            let id = identity(element)
            if let position = patchOrder.firstIndex(of: id) {
                patchItems.append((position, element))
            } else {
                serverOnly.append((serverOrder.firstIndex(of: id) ?? Int.max, element))
            }
        }
        // Stable sorts: by position in the patch (or order list), and in the live list.
        let right = Self.stableSorted(patchItems)
        let left = Self.stableSorted(serverOnly)

        var result: [JSONValue] = []
        result.reserveCapacity(merged.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                result.append(right[j])
                j += 1
            } else if j >= right.count {
                result.append(left[i])
                i += 1
            } else if let leftPosition = serverOrder.firstIndex(of: identity(left[i])),
                let rightPosition = serverOrder.firstIndex(of: identity(right[j])),
                leftPosition < rightPosition
            {
                result.append(left[i])
                i += 1
            } else {
                result.append(right[j])
                j += 1
            }
        }
        return result
    }

    private static func stableSorted(_ items: [(position: Int, element: JSONValue)]) -> [JSONValue] {
        items.enumerated()
            .sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }
            .map(\.element.element)
    }

    // MARK: $setElementOrder

    /// `$setElementOrder/<list>`: merges the patch's list (if any) into the live one, then orders the result by the
    /// order list, keeping live-only elements near their live neighbours.
    private static func mergeOrderedList(
        key: String,
        order: JSONValue,
        original: inout JSONObject,
        patch: inout JSONObject,
        schema: PatchSchema
    ) throws(PatchError) {
        func invalid() -> PatchError { .invalidPatch("invalid patch format of setElementOrder list") }
        guard case .array(let order) = order else { throw invalid() }
        let listKey = try Self.listKey(of: key, prefix: Self.setElementOrderPrefix, error: invalid())
        let field = schema.field(listKey)

        var originalList: [JSONValue]?
        switch original[listKey] {
        case nil, .null?: originalList = nil
        case .array(let elements)?: originalList = elements
        case let other?:
            throw PatchError(
                code: .invalidDocument,
                message: "expected a list for \(listKey), but received \(other.goKindName)"
            )
        }
        var patchList: [JSONValue]?
        switch patch[listKey] {
        case nil: patchList = nil
        case .array(let elements)?: patchList = elements
        case let other?:
            throw .invalidPatch("expected a list for \(listKey), but received \(other.goKindName)")
        }
        try Self.validate(patchList ?? [], against: order, mergeKey: field.mergeKey)

        let merged: [JSONValue]
        switch (originalList, patchList) {
        case (nil, nil):
            return
        case (let live?, nil):
            merged = live
        case (nil, let patched?):
            merged = field.isMerge ? try Self.mergeList([], patched, field: field, key: listKey) : patched
        case (let live?, let patched?):
            merged = field.isMerge ? try Self.mergeList(live, patched, field: field, key: listKey) : patched
        }
        patch[listKey] = nil

        let identity: (JSONValue) -> JSONValue
        var orderIdentities: [JSONValue] = []
        if let mergeKey = field.mergeKey {
            identity = { $0[mergeKey] ?? .null }
            for element in order {
                guard case .object(let object) = element, let value = object[mergeKey] else {
                    throw Self.missingMergeKey(element.objectValue ?? JSONObject(), mergeKey)
                }
                orderIdentities.append(value)
            }
        } else {
            identity = { $0 }
            orderIdentities = order
        }
        let serverOrder = (originalList ?? []).map(identity)
        original[listKey] = .array(
            Self.normalizeOrder(merged, patchOrder: orderIdentities, serverOrder: serverOrder, identity: identity)
        )
    }

    /// Upstream's `validatePatchWithSetOrderList`: the patch's elements (deletions aside) must appear in the order
    /// list, in the same relative order.
    private static func validate(
        _ patchList: [JSONValue],
        against order: [JSONValue],
        mergeKey: String?
    ) throws(PatchError) {
        guard !order.isEmpty, !patchList.isEmpty else { return }
        let candidates: [JSONValue]
        if mergeKey != nil {
            candidates = patchList.filter { $0[Self.directiveMarker] != .string("delete") }
        } else {
            candidates = patchList
        }
        var patchIndex = 0
        var orderIndex = 0
        while patchIndex < candidates.count && orderIndex < order.count {
            let element = candidates[patchIndex]
            if element[Self.directiveMarker] != nil {
                patchIndex += 1
                continue
            }
            let equal: Bool
            if let mergeKey {
                guard case .object(let left) = element, let leftValue = left[mergeKey] else {
                    throw Self.missingMergeKey(element.objectValue ?? JSONObject(), mergeKey)
                }
                guard case .object(let right) = order[orderIndex], let rightValue = right[mergeKey] else {
                    throw Self.missingMergeKey(order[orderIndex].objectValue ?? JSONObject(), mergeKey)
                }
                equal = leftValue == rightValue
            } else {
                equal = element == order[orderIndex]
            }
            if equal { patchIndex += 1 }
            orderIndex += 1
        }
        if patchIndex < candidates.count && orderIndex >= order.count {
            throw .invalidPatch(
                "The order in patch list:\n\(JSONValue.array(patchList).goDescription)\n doesn't match "
                    + "\(Self.setElementOrderPrefix) list:\n\(JSONValue.array(order).goDescription)\n"
            )
        }
    }
}

extension JSONValue {
    /// The value with `null` object members removed at every depth (upstream's `discardNullValuesFromPatch`).
    func discardingNullMembers() -> JSONValue {
        switch self {
        case .object(let object):
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(object.count)
            for (key, value) in object where value != .null {
                members.append((key, value.discardingNullMembers()))
            }
            return .object(JSONObject(members))
        case .array(let elements):
            return .array(elements.map { $0.discardingNullMembers() })
        default:
            return self
        }
    }

    /// The value as Go's `fmt` prints an untyped JSON value with `%v` (`map[image:nginx name:web]`, `[a b]`), for
    /// error messages in upstream's wording.
    var goDescription: String {
        switch self {
        case .null: return "<nil>"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return value
        case .array(let elements): return "[" + elements.map(\.goDescription).joined(separator: " ") + "]"
        case .object(let object):
            let members = object.members.sorted { $0.key < $1.key }.map { $0.key + ":" + $0.value.goDescription }
            return "map[" + members.joined(separator: " ") + "]"
        }
    }
}
