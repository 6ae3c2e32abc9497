public import SkiffAPIMachinery

/// RFC 6902 JSON patch (`application/json-patch+json`), as the API server applies it to the current object.
///
/// The patch is a list of operations applied in order; the first that fails aborts the whole patch:
/// - `add`: sets an object member (adding or replacing it) or inserts into an array at an index, or appends with the
///   index `-`; the parent must exist.
/// - `remove`: removes an existing member or array element.
/// - `replace`: replaces an existing member or array element (the empty path replaces the whole document).
/// - `move`: removes the value at `from` and adds it at `path`; `from` may not be a proper prefix of `path`.
/// - `copy`: adds a copy of the value at `from` at `path`.
/// - `test`: fails unless the value at `path` equals `value` (numbers compare by value, so `1` equals `1.0`;
///   object member order does not matter).
///
/// Paths are RFC 6901 JSON pointers (`~1` for `/`, `~0` for `~`); array indices are decimal without leading
/// zeros. Messages follow evanphx/json-patch, which the upstream API server uses, e.g.
/// `replace operation does not apply: doc is missing key: /spec/foo: missing value` and
/// `testing value /spec/replicas failed: test failed`.
public enum JSONPatch {
    /// Applies `patch`, a JSON array of operations, to `document` and returns the result.
    ///
    /// Throws ``PatchError`` with ``PatchError/Code-swift.struct/invalidPatch`` for a malformed patch or unknown
    /// operation, ``PatchError/Code-swift.struct/invalidPointer`` for a bad pointer,
    /// ``PatchError/Code-swift.struct/pathNotFound`` and ``PatchError/Code-swift.struct/invalidIndex`` for
    /// locations that do not exist, and ``PatchError/Code-swift.struct/testFailed`` for a failed `test`.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw .invalidPatch("json: cannot unmarshal \(patch.goKindName) into Go value of type jsonpatch.Patch")
        }
        var document = document
        for operation in operations {
            try Self.apply(operation, to: &document)
        }
        return document
    }

    private static func apply(_ operation: JSONValue, to document: inout JSONValue) throws(PatchError) {
        guard case .object(let fields) = operation else {
            throw .invalidPatch(
                "json: cannot unmarshal \(operation.goKindName) into Go value of type jsonpatch.Operation"
            )
        }
        let kind = fields["op"]?.stringValue ?? "unknown"
        switch kind {
        case "add":
            let path = try Self.pointer(fields, "path", operation: kind)
            try Self.add(try Self.value(fields, operation: kind), at: path, in: &document, operation: kind)
        case "remove":
            let path = try Self.pointer(fields, "path", operation: kind)
            _ = try Self.remove(at: path, in: &document, operation: kind)
        case "replace":
            let path = try Self.pointer(fields, "path", operation: kind)
            try Self.replace(with: try Self.value(fields, operation: kind), at: path, in: &document)
        case "move":
            let from = try Self.pointer(fields, "from", operation: kind)
            let path = try Self.pointer(fields, "path", operation: kind)
            if from == path {
                guard from.value(in: document) != nil else { throw Self.missing(kind, destination: false, from) }
                return
            }
            guard !path.isProperDescendant(of: from) else {
                throw .invalidPatch("move operation does not apply: from \(from) is a prefix of path \(path)")
            }
            let value = try Self.remove(at: from, in: &document, operation: kind)
            try Self.add(value, at: path, in: &document, operation: kind)
        case "copy":
            let from = try Self.pointer(fields, "from", operation: kind)
            let path = try Self.pointer(fields, "path", operation: kind)
            guard let value = from.value(in: document) else {
                throw PatchError(
                    code: .pathNotFound,
                    message: "copy operation does not apply: doc is missing from path: \(from): missing value"
                )
            }
            try Self.add(value, at: path, in: &document, operation: kind)
        case "test":
            let path = try Self.pointer(fields, "path", operation: kind)
            let expected = try Self.value(fields, operation: kind)
            guard let actual = path.value(in: document), actual.isEqualAsJSON(to: expected) else {
                throw PatchError(code: .testFailed, message: "testing value \(path) failed: test failed")
            }
        default:
            throw .invalidPatch("Unexpected kind: \(kind)")
        }
    }

    private static func pointer(
        _ fields: JSONObject,
        _ name: String,
        operation: String
    ) throws(PatchError) -> JSONPointer {
        guard let text = fields[name]?.stringValue else {
            throw .invalidPatch("\(operation) operation failed to decode \(name): missing value")
        }
        return try JSONPointer(parsing: text)
    }

    private static func value(_ fields: JSONObject, operation: String) throws(PatchError) -> JSONValue {
        guard let value = fields["value"] else {
            throw .invalidPatch("\(operation) operation, missing value field: missing value")
        }
        return value
    }

    /// RFC 6902 `add` (also the second half of `move` and `copy`, whose messages name the destination path).
    private static func add(
        _ value: JSONValue,
        at path: JSONPointer,
        in document: inout JSONValue,
        operation: String
    ) throws(PatchError) {
        guard !path.tokens.isEmpty else {
            document = value
            return
        }
        let found = try path.withParent(in: &document) { (parent, key) throws(PatchError) in
            switch parent {
            case .object(var object):
                parent = .null
                object[key] = value
                parent = .object(object)
            case .array(var elements):
                let index: Int
                if key == "-" {
                    index = elements.count
                } else if let parsed = JSONPointer.arrayIndex(key), parsed <= elements.count {
                    index = parsed
                } else {
                    throw PatchError(
                        code: .invalidIndex,
                        message: "error in \(operation) for path: '\(path)': Unable to access invalid index: \(key): "
                            + "invalid index referenced"
                    )
                }
                parent = .null
                elements.insert(value, at: index)
                parent = .array(elements)
            default:
                throw Self.missing(operation, destination: true, path)
            }
        }
        guard found else { throw Self.missing(operation, destination: true, path) }
    }

    /// RFC 6902 `remove` (also the first half of `move`); returns the removed value.
    private static func remove(
        at path: JSONPointer,
        in document: inout JSONValue,
        operation: String
    ) throws(PatchError) -> JSONValue {
        guard !path.tokens.isEmpty else { throw Self.missing(operation, destination: false, path) }
        var removed: JSONValue = .null
        let found = try path.withParent(in: &document) { (parent, key) throws(PatchError) in
            switch parent {
            case .object(var object):
                guard let value = object[key] else {
                    throw PatchError(
                        code: .pathNotFound,
                        message: "error in \(operation) for path: '\(path)': Unable to remove nonexistent key: "
                            + "\(key): missing value"
                    )
                }
                removed = value
                parent = .null
                object[key] = nil
                parent = .object(object)
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(key), index < elements.count else {
                    throw PatchError(
                        code: .invalidIndex,
                        message: "error in \(operation) for path: '\(path)': Unable to access invalid index: \(key): "
                            + "invalid index referenced"
                    )
                }
                parent = .null
                removed = elements.remove(at: index)
                parent = .array(elements)
            default:
                throw Self.missing(operation, destination: false, path)
            }
        }
        guard found else { throw Self.missing(operation, destination: false, path) }
        return removed
    }

    /// RFC 6902 `replace`: the target must exist.
    private static func replace(
        with value: JSONValue,
        at path: JSONPointer,
        in document: inout JSONValue
    ) throws(PatchError) {
        guard !path.tokens.isEmpty else {
            document = value
            return
        }
        func missingKey() -> PatchError {
            PatchError(
                code: .pathNotFound,
                message: "replace operation does not apply: doc is missing key: \(path): missing value"
            )
        }
        let found = try path.withParent(in: &document) { (parent, key) throws(PatchError) in
            switch parent {
            case .object(var object):
                guard object[key] != nil else { throw missingKey() }
                parent = .null
                object[key] = value
                parent = .object(object)
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(key), index < elements.count else { throw missingKey() }
                parent = .null
                elements[index] = value
                parent = .array(elements)
            default:
                throw missingKey()
            }
        }
        guard found else {
            throw PatchError(
                code: .pathNotFound,
                message: "replace operation does not apply: doc is missing path: \(path): missing value"
            )
        }
    }

    /// evanphx's "doc is missing path" family of messages.
    private static func missing(_ operation: String, destination: Bool, _ path: JSONPointer) -> PatchError {
        let message: String
        switch operation {
        case "move", "copy":
            message =
                "\(operation) operation does not apply: doc is missing \(destination ? "destination" : "from") "
                + "path: \(path): missing value"
        default:
            message = "\(operation) operation does not apply: doc is missing path: \"\(path)\": missing value"
        }
        return PatchError(code: .pathNotFound, message: message)
    }
}

extension JSONValue {
    /// JSON equality as a decoder into untyped values sees it: numbers compare by value (`1` equals `1.0`) and
    /// object member order does not matter.
    func isEqualAsJSON(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let integer), .double(let double)), (.double(let double), .int(let integer)):
            return Double(integer) == double
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            for (leftElement, rightElement) in zip(left, right) where !leftElement.isEqualAsJSON(to: rightElement) {
                return false
            }
            return true
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            for (key, leftValue) in left {
                guard let rightValue = right[key], leftValue.isEqualAsJSON(to: rightValue) else { return false }
            }
            return true
        default:
            return self == other
        }
    }

    /// How Go's `encoding/json` names this kind of value in an unmarshal error (`object`, `array`, `string`, …).
    var goKindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
