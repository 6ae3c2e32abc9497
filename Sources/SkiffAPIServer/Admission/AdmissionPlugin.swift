/// An admission plugin: a named step every write passes before it is persisted (↔ apiserver
/// `admission.Interface`).
///
/// A plugin conforms to ``MutatingAdmissionPlugin``, ``ValidatingAdmissionPlugin`` or both. Mutating plugins run
/// first, in order, before the resource's strategy defaults and validates the object; validating plugins run after,
/// and see the object exactly as it will be stored. A plugin ignores what it does not handle by returning.
package protocol AdmissionPlugin: Sendable {
    /// The plugin's name, as `--enable-admission-plugins` spells it: `NamespaceLifecycle`.
    var name: String { get }
}

/// A plugin that may change the object (↔ `admission.MutationInterface`).
package protocol MutatingAdmissionPlugin: AdmissionPlugin {
    /// Admits the request, changing ``AdmissionAttributes/object`` as needed; throws an `APIError` to reject it.
    func admit(_ attributes: inout AdmissionAttributes) async throws
}

/// A plugin that only accepts or rejects (↔ `admission.ValidationInterface`).
package protocol ValidatingAdmissionPlugin: AdmissionPlugin {
    /// Validates the request; throws an `APIError` to reject it.
    func validate(_ attributes: AdmissionAttributes) async throws
}

/// The seam for dynamic admission: what the webhook dispatcher (MutatingAdmissionWebhook and
/// ValidatingAdmissionWebhook, issue #4 later) implements. It is handed the same attributes the built-in plugins
/// see, at the place upstream calls webhooks: mutating webhooks after the built-in mutating plugins, validating
/// webhooks after the built-in validating plugins but before ResourceQuota.
package protocol AdmissionWebhookDispatcher: Sendable {
    /// Calls the matching mutating webhooks in order, applying their patches to ``AdmissionAttributes/object``.
    func dispatchMutating(_ attributes: inout AdmissionAttributes) async throws
    /// Calls the matching validating webhooks (concurrently, as upstream); throws the first rejection.
    func dispatchValidating(_ attributes: AdmissionAttributes) async throws
}

/// Runs a webhook dispatcher's mutating half as a plugin of the chain.
struct MutatingWebhookPlugin: MutatingAdmissionPlugin {
    static let pluginName = "MutatingAdmissionWebhook"
    var name: String { Self.pluginName }
    let dispatcher: any AdmissionWebhookDispatcher
    func admit(_ attributes: inout AdmissionAttributes) async throws {
        try await self.dispatcher.dispatchMutating(&attributes)
    }
}

/// Runs a webhook dispatcher's validating half as a plugin of the chain.
struct ValidatingWebhookPlugin: ValidatingAdmissionPlugin {
    static let pluginName = "ValidatingAdmissionWebhook"
    var name: String { Self.pluginName }
    let dispatcher: any AdmissionWebhookDispatcher
    func validate(_ attributes: AdmissionAttributes) async throws {
        try await self.dispatcher.dispatchValidating(attributes)
    }
}
