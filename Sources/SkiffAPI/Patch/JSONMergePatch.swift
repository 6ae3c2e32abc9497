public import SkiffAPIMachinery

/// RFC 7386 JSON merge patch (`application/merge-patch+json`), as the API server applies it to the current object.
///
/// - A patch that is not an object replaces the document.
/// - An object patch turns a non-object document into `{}` first, then for each member: `null` removes the member,
///   any other value is merged recursively into the member of the same name.
/// - Arrays are values like any other: the patch's array replaces the document's.
///
/// `kubectl label`, `kubectl annotate`, `kubectl scale` and `kubectl patch --type=merge` send merge patches, and Helm
/// sends them for kinds without a compiled-in schema.
public enum JSONMergePatch {
    /// Applies the merge patch `patch` to `document` and returns the result.
    ///
    /// Every JSON value is a valid merge patch, so this never throws today; it is declared `throws` so the three
    /// patch types share one shape and limits can be added without changing callers.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        Self.merge(patch, into: document)
    }

    private static func merge(_ patch: JSONValue, into document: JSONValue?) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var target: JSONObject
        if case .object(let object) = document { target = object } else { target = JSONObject() }
        for (key, value) in patchObject {
            if case .null = value {
                target[key] = nil
            } else {
                let current = target[key]
                target[key] = .null  // release the member, so the nested merge owns it uniquely
                target[key] = Self.merge(value, into: current)
            }
        }
        return .object(target)
    }
}
