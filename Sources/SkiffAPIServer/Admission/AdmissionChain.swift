import SkiffAPIMachinery

/// What plugin factories are given (↔ the admission plugin initializers that hand plugins informers and clients).
package struct AdmissionPluginContext: Sendable {
    /// Reads the objects plugins consult (namespaces, service accounts, limit ranges, quotas, priority classes).
    package var objects: any AdmissionObjectSource
    /// The dynamic admission dispatcher; `nil` until webhooks exist, which leaves their plugins out of the chain.
    package var webhooks: (any AdmissionWebhookDispatcher)?
    /// Five random characters, as `generateName` appends (injected so tests can pin volume names).
    package var randomSuffix: @Sendable () -> String
    /// Whether pods naming a missing `default` ServiceAccount are rejected, as upstream (see
    /// ``APIServerConfiguration/requireDefaultServiceAccount``).
    package var requireDefaultServiceAccount: Bool

    package init(
        objects: any AdmissionObjectSource,
        webhooks: (any AdmissionWebhookDispatcher)? = nil,
        randomSuffix: @escaping @Sendable () -> String = AdmissionPluginContext.randomSuffix,
        requireDefaultServiceAccount: Bool = false
    ) {
        self.objects = objects
        self.webhooks = webhooks
        self.randomSuffix = randomSuffix
        self.requireDefaultServiceAccount = requireDefaultServiceAccount
    }

    /// Five characters from upstream's name-generation alphabet (no vowels, no look-alikes).
    package static let randomSuffix: @Sendable () -> String = { RandomNames.suffix() }
}

/// Makes a plugin from the context; `nil` when the plugin cannot run here (webhooks without a dispatcher).
package typealias AdmissionPluginFactory = @Sendable (AdmissionPluginContext) -> (any AdmissionPlugin)?

/// The built-in admission plugins by name, and the order upstream runs them in (↔ kube-apiserver's
/// `AllOrderedPlugins` and `DefaultOffAdmissionPlugins`).
package enum AdmissionPlugins {
    /// Every plugin Skiff has, by name.
    package static let registry: [String: AdmissionPluginFactory] = [
        NamespaceLifecycle.pluginName: { NamespaceLifecycle(objects: $0.objects) },
        LimitRanger.pluginName: { LimitRanger(objects: $0.objects) },
        ServiceAccountAdmission.pluginName: {
            ServiceAccountAdmission(
                objects: $0.objects,
                randomSuffix: $0.randomSuffix,
                toleratesMissingDefault: !$0.requireDefaultServiceAccount
            )
        },
        PriorityAdmission.pluginName: { PriorityAdmission(objects: $0.objects) },
        ResourceQuotaAdmission.pluginName: { ResourceQuotaAdmission(objects: $0.objects) },
        DefaultTolerationSeconds.pluginName: { _ in DefaultTolerationSeconds() },
        DefaultStorageClass.pluginName: { DefaultStorageClass(objects: $0.objects) },
        DefaultIngressClass.pluginName: { DefaultIngressClass(objects: $0.objects) },
        MutatingWebhookPlugin.pluginName: { context in context.webhooks.map { MutatingWebhookPlugin(dispatcher: $0) } },
        ValidatingWebhookPlugin.pluginName: { context in
            context.webhooks.map { ValidatingWebhookPlugin(dispatcher: $0) }
        },
    ]

    /// Upstream's order (`AllOrderedPlugins`), restricted to the plugins Skiff has: webhooks and then
    /// ResourceQuota go last, so quota is charged only for requests every other plugin accepted.
    package static let order: [String] = [
        NamespaceLifecycle.pluginName,
        LimitRanger.pluginName,
        ServiceAccountAdmission.pluginName,
        PriorityAdmission.pluginName,
        DefaultTolerationSeconds.pluginName,
        DefaultStorageClass.pluginName,
        DefaultIngressClass.pluginName,
        MutatingWebhookPlugin.pluginName,
        ValidatingWebhookPlugin.pluginName,
        ResourceQuotaAdmission.pluginName,
    ]

    /// The plugins enabled when no flag says otherwise: all of Skiff's, as all are on by default upstream.
    package static let enabledByDefault: Set<String> = Set(Self.order)

    /// The enabled plugin names in run order: the defaults plus `enable`, minus `disable`
    /// (`--enable-admission-plugins`, `--disable-admission-plugins`). Throws for a name Skiff does not know.
    package static func enabled(enable: [String] = [], disable: [String] = []) throws -> [String] {
        for name in enable + disable where Self.registry[name] == nil {
            throw AdmissionConfigurationError(
                message: "admission-control plugin \"\(name)\" is unknown; known plugins: \(Self.order.joined(separator: ", "))"
            )
        }
        let wanted = Self.enabledByDefault.union(enable).subtracting(disable)
        return Self.order.filter { wanted.contains($0) }
    }
}

/// A bad admission configuration (an unknown plugin name).
package struct AdmissionConfigurationError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { self.message }
}

/// The enabled plugins, split into the two phases (↔ apiserver `admission.chainAdmissionHandler`).
package struct AdmissionChain: Sendable {
    package let mutating: [any MutatingAdmissionPlugin]
    package let validating: [any ValidatingAdmissionPlugin]

    /// A chain running `plugins` in the given order; a plugin conforming to both protocols runs in both phases.
    package init(_ plugins: [any AdmissionPlugin]) {
        self.mutating = plugins.compactMap { $0 as? any MutatingAdmissionPlugin }
        self.validating = plugins.compactMap { $0 as? any ValidatingAdmissionPlugin }
    }

    /// A chain of the named plugins from the registry, in the given order (names the registry lacks, or whose
    /// factory declines, are left out).
    package init(names: [String], context: AdmissionPluginContext) {
        self.init(names.compactMap { AdmissionPlugins.registry[$0]?(context) })
    }

    /// A chain admitting everything.
    package static let empty = AdmissionChain([])

    package var isEmpty: Bool { self.mutating.isEmpty && self.validating.isEmpty }

    /// The names of the plugins, in order, each once.
    package var names: [String] {
        var seen: Set<String> = []
        return (self.mutating.map(\.name) + self.validating.map(\.name)).filter { seen.insert($0).inserted }
    }

    /// Runs the mutating phase.
    package func admit(_ attributes: inout AdmissionAttributes) async throws {
        for plugin in self.mutating {
            try await plugin.admit(&attributes)
        }
    }

    /// Runs the validating phase.
    package func validate(_ attributes: AdmissionAttributes) async throws {
        for plugin in self.validating {
            try await plugin.validate(attributes)
        }
    }
}
