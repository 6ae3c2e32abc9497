public import SkiffAPIMachinery

/// Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds, driven by the
/// compiled-in OpenAPI schema (↔ apimachinery `pkg/util/strategicpatch`, as the API server applies it).
///
/// It is a JSON merge patch whose list handling follows each field's patch metadata
/// (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`), plus directives:
/// - Objects merge recursively; `null` removes a member. A field with strategy `replace` (a PodDisruptionBudget's
///   `spec.selector`) is replaced by the patch's object.
/// - Lists with strategy `merge` and a merge key (containers, env and volumes by `name`, container ports by
///   `containerPort`, Service ports by `port`, …) merge element by element: a patch element updates the element with
///   the same merge key value recursively, or is added. New elements come before the existing ones unless
///   `$setElementOrder/<list>` says otherwise (upstream's ordering rules: `$setElementOrder`, then patch order, then
///   the live order).
/// - Lists of scalars with strategy `merge` (`metadata.finalizers`) form a union; `$deleteFromPrimitiveList/<list>`
///   lists values to remove.
/// - Every other list is replaced by the patch's list.
/// - `{"$patch": "delete", <mergeKey>: v}` in a merging list removes the matching elements; `{"$patch": "replace"}`
///   in a merging list replaces the whole list by the other patch elements.
/// - `"$patch": "replace"` in an object replaces the object by the rest of the patch object, `"$patch": "delete"`
///   empties it, and `"$patch": "merge"` is the default (upstream rejects it in objects; accepting it is harmless).
///   Any other `$patch` value throws ``PatchError/Code-swift.struct/invalidDirective``.
/// - `$retainKeys: [...]` (sent by `kubectl apply` for fields with strategy `retainKeys`, such as a Deployment's
///   `spec.strategy` and pod volumes) removes the members of the live object not listed, after checking that every
///   non-null member of the patch is listed.
/// - Fields the schema does not know (and the contents of `RawExtension`-like free-form objects) get JSON merge
///   patch semantics: objects merge, lists are replaced.
///
/// Directive keys never appear in the result; `null`s in the patch are never stored.
///
/// ## Topics
/// ### Creating
/// - ``init(groupVersionKind:)``
/// - ``init(definitionName:)``
/// ### Applying
/// - ``apply(_:to:)``
public struct StrategicMergePatch: Sendable {
    /// The OpenAPI definition the patch starts from (`io.k8s.api.apps.v1.Deployment`).
    public let definitionName: String
    private let schema: PatchSchema

    /// Patch metadata looked up in the compiled-in schema, starting at the definition of `groupVersionKind`.
    ///
    /// `nil` when the kind has no compiled-in schema, such as a custom resource: upstream answers a strategic merge
    /// patch for those with 415 Unsupported Media Type.
    public init?(groupVersionKind: GroupVersionKind) {
        guard let name = APISchema.definitionName(for: groupVersionKind) else { return nil }
        self.init(definitionName: name)
    }

    /// Patch metadata starting at the OpenAPI definition `definitionName`, for types that are not a kind of their
    /// own (a subresource's `autoscaling/v1` Scale, an embedded template); `nil` if there is no such definition.
    public init?(definitionName: String) {
        guard let schema = PatchSchema(definitionName: definitionName) else { return nil }
        self.definitionName = definitionName
        self.schema = schema
    }

    /// Applies the strategic merge patch `patch` (a JSON object) to `document` (the current object as JSON) and
    /// returns the patched object.
    ///
    /// Throws ``PatchError`` with ``PatchError/Code-swift.struct/invalidPatch`` for a patch that is not an object
    /// or has malformed directives, ``PatchError/Code-swift.struct/invalidDirective`` for an unknown `$patch` value,
    /// ``PatchError/Code-swift.struct/missingMergeKey`` for a merging-list element without its merge key, and
    /// ``PatchError/Code-swift.struct/invalidDocument`` when `document` is not an object.
    public func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        guard case .object(let patchObject) = patch else {
            throw .invalidPatch(
                "json: cannot unmarshal \(patch.goKindName) into Go value of type map[string]interface {}"
            )
        }
        let original: JSONObject
        switch document {
        case .object(let object): original = object
        case .null: original = JSONObject()
        default:
            throw PatchError(
                code: .invalidDocument,
                message: "json: cannot unmarshal \(document.goKindName) into Go value of type map[string]interface {}"
            )
        }
        return .object(try StrategicMerger.mergeObject(original, patchObject, schema: self.schema))
    }
}
