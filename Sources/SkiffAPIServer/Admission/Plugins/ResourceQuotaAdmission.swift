import SkiffAPI
import SkiffAPIMachinery
import SkiffQuota

/// Enforces a namespace's ResourceQuotas and charges their usage (↔ upstream `plugin/pkg/admission/resourcequota`
/// and the quota evaluators of `pkg/quota/v1/evaluator/core`, "ResourceQuota", on by default and last).
///
/// A create (or an update that grows usage: a Service's type or ports, a claim's size) computes the object's usage
/// (`pods`, `count/pods`, `requests.cpu`, `limits.memory`, `services.nodeports`, `count/<resource>.<group>`, …),
/// adds it to each matching quota's `status.used`, and refuses it with 403 `exceeded quota: q, requested: pods=1,
/// used: pods=2, limited: pods=2` when that passes `status.hard`. Otherwise the new usage is written to the quota
/// with compare-and-swap before the object is stored (a lost race re-reads the quota), so two concurrent creates
/// cannot both take the last unit. A dry run checks but charges nothing.
///
/// A quota whose `status` does not yet count a resource it limits refuses with `status unknown for quota`, and a
/// quota limiting cpu or memory requires every container to state them, as upstream.
struct ResourceQuotaAdmission: ValidatingAdmissionPlugin {
    static let pluginName = "ResourceQuota"
    var name: String { Self.pluginName }

    let objects: any AdmissionObjectSource

    func validate(_ attributes: AdmissionAttributes) async throws {
        guard !attributes.namespace.isEmpty, attributes.subresource.isEmpty,
            attributes.operation == .create || attributes.operation == .update,
            let object = attributes.object
        else { return }
        let evaluator = QuotaEvaluator(group: attributes.resource.group, resource: attributes.resource.resource)
        guard attributes.operation == .create || evaluator.chargesUpdates else { return }
        // A namespace without quotas (most) charges nothing: the object's usage is not even computed.
        var listed: [AdmissionStoredObject]? = try await self.objects.list(
            .resourceQuotas,
            namespace: attributes.namespace,
            cached: true
        )
        if listed?.isEmpty == true { return }
        var delta = evaluator.usage(object)
        if attributes.operation == .update, let old = attributes.oldObject {
            delta = QuotaEvaluator.subtractNonNegative(delta, evaluator.usage(old))
        }
        if delta.values.allSatisfy(\.isZero) { return }

        var charged: Set<String> = []
        // The first attempt reads the watch cache (upstream's lister); after a lost compare-and-swap the quotas
        // are read live, as upstream refreshes them from the server.
        var cached = true
        for _ in 0..<16 {
            let quotas: [AdmissionStoredObject]
            if let first = listed {
                quotas = first
                listed = nil
            } else {
                quotas = try await self.objects.list(.resourceQuotas, namespace: attributes.namespace, cached: cached)
            }
            var pending: [(name: String, used: [String: Quantity], resourceVersion: String, status: CoreV1.ResourceQuotaStatus)] = []
            for stored in quotas {
                let quota = try stored.decode(CoreV1.ResourceQuota.self)
                let quotaName = quota.metadata.name ?? ""
                guard evaluator.matches(quota, object) else { continue }
                let hard = quota.status?.hard ?? [:]
                let used = quota.status?.used ?? [:]
                let restricted = Set(hard.keys).filter { evaluator.tracks($0) }
                if restricted.isEmpty { continue }
                if let message = evaluator.constraints(restricted, object) {
                    throw attributes.forbidden("failed quota: \(quotaName): \(message)")
                }
                let unknown = restricted.filter { used[$0] == nil }.sorted()
                if !unknown.isEmpty {
                    throw attributes.forbidden(
                        "status unknown for quota: \(quotaName), resources: \(unknown.joined(separator: ","))"
                    )
                }
                let requested = delta.filter { hard[$0.key] != nil }
                if requested.isEmpty || requested.values.allSatisfy(\.isZero) || charged.contains(quotaName) { continue }
                var newUsed = used
                for (resource, value) in requested { newUsed[resource, default: Quantity()] += value }
                let exceeded = requested.keys.filter { newUsed[$0]! > hard[$0]! }.sorted()
                if !exceeded.isEmpty {
                    throw attributes.forbidden(
                        "exceeded quota: \(quotaName), requested: \(Self.pretty(requested, exceeded)), used: \(Self.pretty(used, exceeded)), limited: \(Self.pretty(hard, exceeded))"
                    )
                }
                var status = quota.status ?? CoreV1.ResourceQuotaStatus()
                status.used = newUsed
                pending.append((quotaName, newUsed, stored.resourceVersion, status))
            }
            if attributes.isDryRun || pending.isEmpty { return }
            var lost = false
            for entry in pending {
                let status = try JSONValueEncoder().encode(entry.status)
                if try await self.objects.updateStatus(
                    .resourceQuotas,
                    namespace: attributes.namespace,
                    name: entry.name,
                    status: status,
                    resourceVersion: entry.resourceVersion
                ) {
                    charged.insert(entry.name)
                } else {
                    lost = true
                }
            }
            if !lost { return }
            cached = false
        }
        throw APIError.conflict(
            group: "",
            resource: "resourcequotas",
            name: attributes.namespace,
            message: "too many conflicts updating the resource quota usage"
        )
    }

    /// `pods=1,requests.cpu=500m`: the named resources of `list`, sorted (upstream's `prettyPrint`).
    static func pretty(_ list: [String: Quantity], _ names: [String]) -> String {
        names.compactMap { name in list[name].map { "\(name)=\($0)" } }.joined(separator: ",")
    }
}
