import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// Table-driven tests of each built-in admission plugin over in-memory objects.
struct AdmissionPluginTests {
    static func pod(
        _ name: String = "p",
        containers: [CoreV1.Container] = [CoreV1.Container(name: "c", image: "nginx")],
        configure: (inout CoreV1.PodSpec) -> Void = { _ in }
    ) -> CoreV1.Pod {
        var spec = CoreV1.PodSpec(containers: containers)
        configure(&spec)
        return CoreV1.Pod(metadata: MetaV1.ObjectMeta(name: name, namespace: "ns"), spec: spec)
    }

    static func create(_ object: any APIObject, _ resource: GroupResource = .pods, namespace: String = "ns") -> AdmissionAttributes {
        AdmissionAttributes(
            operation: .create,
            resource: resource,
            kind: String(describing: type(of: object)),
            namespace: namespace,
            name: object.metadata.name ?? "",
            object: object
        )
    }

    static func message(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as APIError {
            return "\(error.code) \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    // MARK: NamespaceLifecycle

    struct NamespaceCase: Sendable, CustomTestStringConvertible {
        var operation: AdmissionAttributes.Operation
        var resource: GroupResource
        var namespace: String
        var name: String
        var expected: String?
        var testDescription: String { "\(self.operation) \(self.resource) \(self.namespace)/\(self.name)" }
    }

    @Test(arguments: [
        NamespaceCase(operation: .create, resource: .pods, namespace: "active", name: "p", expected: nil),
        NamespaceCase(operation: .create, resource: .pods, namespace: "missing", name: "p", expected: #"404 namespaces "missing" not found"#),
        NamespaceCase(operation: .update, resource: .pods, namespace: "missing", name: "p", expected: #"404 namespaces "missing" not found"#),
        NamespaceCase(operation: .delete, resource: .pods, namespace: "missing", name: "p", expected: nil),
        NamespaceCase(
            operation: .create,
            resource: .pods,
            namespace: "ending",
            name: "p",
            expected: #"403 pods "p" is forbidden: unable to create new content in namespace ending because it is being terminated"#
        ),
        NamespaceCase(operation: .update, resource: .pods, namespace: "ending", name: "p", expected: nil),
        NamespaceCase(
            operation: .delete,
            resource: .namespaces,
            namespace: "",
            name: "kube-system",
            expected: #"403 namespaces "kube-system" is forbidden: this namespace may not be deleted"#
        ),
        NamespaceCase(operation: .delete, resource: .namespaces, namespace: "", name: "kube-node-lease", expected: nil),
        NamespaceCase(operation: .create, resource: .priorityClasses, namespace: "", name: "x", expected: nil),
    ])
    func namespaceLifecycle(_ c: NamespaceCase) async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "active"), status: CoreV1.NamespaceStatus(phase: "Active")), .namespaces)
        try objects.put(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: "ending"), status: CoreV1.NamespaceStatus(phase: "Terminating")), .namespaces)
        var attributes = AdmissionAttributes(
            operation: c.operation,
            resource: c.resource,
            kind: "",
            namespace: c.namespace,
            name: c.name,
            object: c.operation == .delete ? nil : Self.pod(c.name),
            oldObject: c.operation == .create ? nil : Self.pod(c.name)
        )
        let plugin = NamespaceLifecycle(objects: objects)
        #expect(await Self.message { try await plugin.admit(&attributes) } == c.expected)
    }

    // MARK: ServiceAccount

    @Test func serviceAccountDefaultsNameAndMountsTheProjectedToken() async throws {
        let plugin = ServiceAccountAdmission(objects: InMemoryAdmissionObjects(), randomSuffix: { "abcde" })
        let pod = Self.pod(
            containers: [
                CoreV1.Container(name: "a", image: "x"),
                CoreV1.Container(
                    name: "b",
                    image: "x",
                    volumeMounts: [CoreV1.VolumeMount(name: "own", mountPath: ServiceAccountAdmission.tokenMountPath)]
                ),
            ]
        ) { $0.initContainers = [CoreV1.Container(name: "i", image: "x")] }
        var attributes = Self.create(pod)
        try await plugin.admit(&attributes)
        try await plugin.validate(attributes)
        let spec = try #require((attributes.object as? CoreV1.Pod)?.spec)
        #expect(spec.serviceAccountName == "default")
        #expect(spec.serviceAccount == "default")
        let mount = CoreV1.VolumeMount(name: "kube-api-access-abcde", readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount")
        #expect(spec.containers[0].volumeMounts == [mount])
        #expect(spec.containers[1].volumeMounts?.count == 1)  // its own mount at the path wins
        #expect(spec.initContainers?[0].volumeMounts == [mount])
        let volume = try #require(spec.volumes?.first)
        #expect(volume.name == "kube-api-access-abcde")
        let json = try JSONValueEncoder().encode(volume)
        #expect(
            String(decoding: json.serialized(), as: UTF8.self)
                == #"{"name":"kube-api-access-abcde","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}"#
        )
    }

    struct AutomountCase: Sendable, CustomTestStringConvertible {
        var pod: Bool?
        var account: Bool?
        var mounted: Bool
        var testDescription: String { "pod=\(String(describing: self.pod)) account=\(String(describing: self.account))" }
    }

    @Test(arguments: [
        AutomountCase(pod: nil, account: nil, mounted: true),
        AutomountCase(pod: nil, account: false, mounted: false),
        AutomountCase(pod: true, account: false, mounted: true),
        AutomountCase(pod: false, account: true, mounted: false),
    ])
    func automountFollowsPodThenAccount(_ c: AutomountCase) async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(
            CoreV1.ServiceAccount(
                metadata: MetaV1.ObjectMeta(name: "builder", namespace: "ns"),
                imagePullSecrets: [CoreV1.LocalObjectReference(name: "registry")],
                automountServiceAccountToken: c.account
            ),
            .serviceAccounts
        )
        let plugin = ServiceAccountAdmission(objects: objects, randomSuffix: { "xxxxx" })
        var attributes = Self.create(Self.pod { $0.serviceAccountName = "builder"; $0.automountServiceAccountToken = c.pod })
        try await plugin.admit(&attributes)
        let spec = try #require((attributes.object as? CoreV1.Pod)?.spec)
        #expect((spec.volumes ?? []).isEmpty == !c.mounted)
        #expect(spec.imagePullSecrets == [CoreV1.LocalObjectReference(name: "registry")])
    }

    @Test func missingServiceAccountIsForbidden() async throws {
        let plugin = ServiceAccountAdmission(objects: InMemoryAdmissionObjects(), randomSuffix: { "xxxxx" })
        var attributes = Self.create(Self.pod { $0.serviceAccountName = "ghost" })
        #expect(
            await Self.message { try await plugin.admit(&attributes) }
                == #"403 pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found"#
        )
    }

    @Test func missingDefaultAccountIsForbiddenWhereAControllerCreatesThem() async throws {
        let plugin = ServiceAccountAdmission(
            objects: InMemoryAdmissionObjects(),
            randomSuffix: { "xxxxx" },
            toleratesMissingDefault: false
        )
        var attributes = Self.create(Self.pod())
        #expect(
            await Self.message { try await plugin.admit(&attributes) }
                == #"403 pods "p" is forbidden: error looking up service account ns/default: serviceaccount "default" not found"#
        )
    }

    @Test func defaultAccountCreatedWhileThePodWaitsIsFound() async throws {
        let objects = InMemoryAdmissionObjects()
        let plugin = ServiceAccountAdmission(objects: objects, randomSuffix: { "xxxxx" }, toleratesMissingDefault: false)
        // The service accounts controller creates the account a moment after the namespace appears.
        let creator = Task {
            try await Task.sleep(for: .milliseconds(250))
            try objects.put(
                CoreV1.ServiceAccount(
                    metadata: MetaV1.ObjectMeta(name: "default", namespace: "ns"),
                    automountServiceAccountToken: false
                ),
                .serviceAccounts
            )
        }
        var attributes = Self.create(Self.pod())
        try await plugin.admit(&attributes)
        try await creator.value
        let spec = try #require((attributes.object as? CoreV1.Pod)?.spec)
        #expect(spec.serviceAccountName == "default")
        #expect(spec.volumes == nil)  // the account's automountServiceAccountToken: false was read
    }

    @Test func mirrorPodsAreLeftAloneButMayNotReferenceAccounts() async throws {
        let plugin = ServiceAccountAdmission(objects: InMemoryAdmissionObjects(), randomSuffix: { "xxxxx" })
        var pod = Self.pod()
        pod.metadata.annotations = ["kubernetes.io/config.mirror": "hash"]
        var attributes = Self.create(pod)
        try await plugin.admit(&attributes)
        #expect((attributes.object as? CoreV1.Pod)?.spec?.serviceAccountName == nil)
        try await plugin.validate(attributes)
        pod.spec?.serviceAccountName = "default"
        #expect(
            await Self.message { try await plugin.validate(Self.create(pod)) }
                == #"403 pods "p" is forbidden: a mirror pod may not reference service accounts"#
        )
    }

    // MARK: DefaultTolerationSeconds

    struct TolerationCase: Sendable, CustomTestStringConvertible {
        var given: [CoreV1.Toleration]
        var added: [String]
        var testDescription: String { "\(self.given.count) given → adds \(self.added)" }
    }

    @Test(arguments: [
        TolerationCase(given: [], added: ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]),
        TolerationCase(
            given: [CoreV1.Toleration(key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 10)],
            added: ["node.kubernetes.io/unreachable"]
        ),
        TolerationCase(given: [CoreV1.Toleration(operator: "Exists")], added: []),
        TolerationCase(
            given: [CoreV1.Toleration(key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoSchedule")],
            added: ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        ),
    ])
    func defaultTolerationSeconds(_ c: TolerationCase) async throws {
        var attributes = Self.create(Self.pod { $0.tolerations = c.given.isEmpty ? nil : c.given })
        try await DefaultTolerationSeconds().admit(&attributes)
        let tolerations = (attributes.object as? CoreV1.Pod)?.spec?.tolerations ?? []
        let added = Array(tolerations.dropFirst(c.given.count))
        #expect(added.map { $0.key ?? "" } == c.added)
        #expect(added.allSatisfy { $0.tolerationSeconds == 300 && $0.effect == "NoExecute" && $0.operator == "Exists" })
    }

    // MARK: Priority

    struct PriorityCase: Sendable, CustomTestStringConvertible {
        var className: String?
        var givenPriority: Int32?
        var withDefault: Bool
        var expectedClass: String?
        var expectedPriority: Int32?
        var expectedPolicy: String?
        var error: String?
        var testDescription: String { "\(self.className ?? "-") default=\(self.withDefault)" }
    }

    @Test(arguments: [
        PriorityCase(className: nil, withDefault: false, expectedClass: nil, expectedPriority: 0, expectedPolicy: "PreemptLowerPriority"),
        PriorityCase(className: nil, withDefault: true, expectedClass: "everyone", expectedPriority: 7, expectedPolicy: "Never"),
        PriorityCase(className: "system-node-critical", withDefault: true, expectedClass: "system-node-critical", expectedPriority: 2_000_001_000, expectedPolicy: "PreemptLowerPriority"),
        PriorityCase(className: "nope", withDefault: false, error: #"403 pods "p" is forbidden: no PriorityClass with name nope was found"#),
        PriorityCase(
            className: "system-node-critical",
            givenPriority: 5,
            withDefault: false,
            error: #"403 pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 2000001000 from the given PriorityClass name"#
        ),
    ])
    func priorityFromClass(_ c: PriorityCase) async throws {
        let objects = InMemoryAdmissionObjects()
        for priorityClass in APIHandler.systemPriorityClasses { try objects.put(priorityClass, .priorityClasses) }
        if c.withDefault {
            try objects.put(
                SchedulingV1.PriorityClass(metadata: MetaV1.ObjectMeta(name: "everyone"), value: 7, globalDefault: true, preemptionPolicy: "Never"),
                .priorityClasses
            )
        }
        let plugin = PriorityAdmission(objects: objects)
        var attributes = Self.create(Self.pod { $0.priorityClassName = c.className; $0.priority = c.givenPriority })
        let error = await Self.message { try await plugin.admit(&attributes) }
        #expect(error == c.error)
        guard c.error == nil else { return }
        let spec = try #require((attributes.object as? CoreV1.Pod)?.spec)
        #expect(spec.priorityClassName == c.expectedClass)
        #expect(spec.priority == c.expectedPriority)
        #expect(spec.preemptionPolicy == c.expectedPolicy)
    }

    @Test func onlyOneGlobalDefaultPriorityClass() async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(SchedulingV1.PriorityClass(metadata: MetaV1.ObjectMeta(name: "first"), value: 1, globalDefault: true), .priorityClasses)
        let plugin = PriorityAdmission(objects: objects)
        let second = SchedulingV1.PriorityClass(metadata: MetaV1.ObjectMeta(name: "second"), value: 2, globalDefault: true)
        #expect(
            await Self.message { try await plugin.validate(Self.create(second, .priorityClasses, namespace: "")) }
                == #"403 priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass first is already marked as default. Only one default can exist"#
        )
    }

    // MARK: LimitRanger

    static func limitRange(_ items: [CoreV1.LimitRangeItem]) -> CoreV1.LimitRange {
        CoreV1.LimitRange(metadata: MetaV1.ObjectMeta(name: "limits", namespace: "ns"), spec: CoreV1.LimitRangeSpec(limits: items))
    }

    @Test func limitRangerAppliesDefaultsAndAnnotates() async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(
            Self.limitRange([
                CoreV1.LimitRangeItem(
                    type: "Container",
                    default: ["cpu": "500m", "memory": "256Mi"],
                    defaultRequest: ["cpu": "100m"]
                )
            ]),
            .limitRanges
        )
        let plugin = LimitRanger(objects: objects)
        var attributes = Self.create(
            Self.pod(containers: [
                CoreV1.Container(name: "a", image: "x"),
                CoreV1.Container(name: "b", image: "x", resources: CoreV1.ResourceRequirements(limits: ["cpu": "2"])),
            ])
        )
        try await plugin.admit(&attributes)
        let pod = try #require(attributes.object as? CoreV1.Pod)
        let a = try #require(pod.spec?.containers[0].resources)
        #expect(a.requests == ["cpu": "100m", "memory": "256Mi"])
        #expect(a.limits == ["cpu": "500m", "memory": "256Mi"])
        // A container's own limit is its request (pod defaulting), not the range's default request.
        let b = try #require(pod.spec?.containers[1].resources)
        #expect(b.requests == ["cpu": "2", "memory": "256Mi"])
        #expect(b.limits == ["cpu": "2", "memory": "256Mi"])
        #expect(
            pod.metadata.annotations?["kubernetes.io/limit-ranger"]
                == "LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; memory limit for container b"
        )
    }

    struct LimitCase: Sendable, CustomTestStringConvertible {
        var item: CoreV1.LimitRangeItem
        var resources: CoreV1.ResourceRequirements
        var expected: String?
        var testDescription: String { self.expected ?? "allowed" }
    }

    @Test(arguments: [
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", max: ["cpu": "1"]), resources: .init(limits: ["cpu": "2"]), expected: "maximum cpu usage per Container is 1, but limit is 2"),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", max: ["cpu": "1"]), resources: .init(requests: ["cpu": "500m"]), expected: "maximum cpu usage per Container is 1.  No limit is specified"),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", min: ["memory": "64Mi"]), resources: .init(requests: ["memory": "32Mi"]), expected: "minimum memory usage per Container is 64Mi, but request is 32Mi"),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", min: ["memory": "64Mi"]), resources: .init(), expected: "minimum memory usage per Container is 64Mi.  No request is specified"),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", maxLimitRequestRatio: ["cpu": "2"]), resources: .init(limits: ["cpu": "1"], requests: ["cpu": "250m"]), expected: "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Container", maxLimitRequestRatio: ["cpu": "2"]), resources: .init(limits: ["cpu": "1"], requests: ["cpu": "500m"]), expected: nil),
        LimitCase(item: CoreV1.LimitRangeItem(type: "Pod", max: ["cpu": "1"]), resources: .init(limits: ["cpu": "600m"]), expected: "maximum cpu usage per Pod is 1, but limit is 1200m"),
    ])
    func limitRangerConstraints(_ c: LimitCase) async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(Self.limitRange([c.item]), .limitRanges)
        let containers = [
            CoreV1.Container(name: "a", image: "x", resources: c.resources),
            CoreV1.Container(name: "b", image: "x", resources: c.resources),
        ]
        let attributes = Self.create(Self.pod(containers: c.item.type == "Pod" ? containers : [containers[0]]))
        let error = await Self.message { try await LimitRanger(objects: objects).validate(attributes) }
        #expect(error == c.expected.map { #"403 pods "p" is forbidden: "# + $0 })
    }

    // MARK: ResourceQuota

    static func quota(_ name: String = "q", hard: [String: Quantity], used: [String: Quantity], scopes: [String]? = nil) -> CoreV1.ResourceQuota {
        CoreV1.ResourceQuota(
            metadata: MetaV1.ObjectMeta(name: name, namespace: "ns"),
            spec: CoreV1.ResourceQuotaSpec(hard: hard, scopes: scopes),
            status: CoreV1.ResourceQuotaStatus(hard: hard, used: used)
        )
    }

    struct QuotaCase: Sendable, CustomTestStringConvertible {
        var hard: [String: Quantity]
        var used: [String: Quantity]
        var object: CoreV1.Pod
        var error: String?
        var newUsed: [String: Quantity]?
        var testDescription: String { self.error ?? "charges \(self.newUsed ?? [:])" }
    }

    static let cpuPod = AdmissionPluginTests.pod(containers: [
        CoreV1.Container(name: "c", image: "x", resources: CoreV1.ResourceRequirements(limits: ["memory": "1Gi"], requests: ["cpu": "500m", "memory": "1Gi"]))
    ])

    @Test(arguments: [
        QuotaCase(hard: ["pods": "2"], used: ["pods": "1"], object: AdmissionPluginTests.pod(), newUsed: ["pods": "2"]),
        QuotaCase(hard: ["pods": "2"], used: ["pods": "2"], object: AdmissionPluginTests.pod(), error: "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"),
        QuotaCase(hard: ["count/pods": "1"], used: ["count/pods": "1"], object: AdmissionPluginTests.pod(), error: "exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1"),
        QuotaCase(hard: ["requests.cpu": "1", "limits.memory": "2Gi"], used: ["requests.cpu": "600m", "limits.memory": "0"], object: cpuPod, error: "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1"),
        QuotaCase(hard: ["requests.cpu": "1", "limits.memory": "2Gi"], used: ["requests.cpu": "500m", "limits.memory": "1Gi"], object: cpuPod, newUsed: ["requests.cpu": "1", "limits.memory": "2Gi"]),
        QuotaCase(hard: ["limits.cpu": "1"], used: ["limits.cpu": "0"], object: AdmissionPluginTests.pod(), error: "failed quota: q: must specify limits.cpu for: c"),
        QuotaCase(hard: ["pods": "2"], used: [:], object: AdmissionPluginTests.pod(), error: "status unknown for quota: q, resources: pods"),
        QuotaCase(hard: ["services": "1"], used: ["services": "1"], object: AdmissionPluginTests.pod(), newUsed: ["services": "1"]),
    ])
    func resourceQuotaChecksAndCharges(_ c: QuotaCase) async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(Self.quota(hard: c.hard, used: c.used), .resourceQuotas)
        let error = await Self.message { try await ResourceQuotaAdmission(objects: objects).validate(Self.create(c.object)) }
        #expect(error == c.error.map { #"403 pods "p" is forbidden: "# + $0 })
        let stored = try #require(try await objects.get(CoreV1.ResourceQuota.self, .resourceQuotas, namespace: "ns", name: "q"))
        #expect(stored.status?.used == (c.newUsed ?? c.used))
    }

    @Test func resourceQuotaDryRunChargesNothing() async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(Self.quota(hard: ["pods": "2"], used: ["pods": "0"]), .resourceQuotas)
        var attributes = Self.create(Self.pod())
        attributes.isDryRun = true
        try await ResourceQuotaAdmission(objects: objects).validate(attributes)
        let stored = try await objects.get(CoreV1.ResourceQuota.self, .resourceQuotas, namespace: "ns", name: "q")
        #expect(stored?.status?.used == ["pods": "0"])
    }

    @Test func scopedQuotaMatchesOnlyItsPods() async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(Self.quota(hard: ["pods": "0"], used: ["pods": "0"], scopes: ["BestEffort"]), .resourceQuotas)
        let plugin = ResourceQuotaAdmission(objects: objects)
        try await plugin.validate(Self.create(Self.cpuPod))
        #expect(await Self.message { try await plugin.validate(Self.create(Self.pod())) } != nil)
    }

    @Test func serviceNodePortsCountOnTypeChange() async throws {
        let objects = InMemoryAdmissionObjects()
        try objects.put(Self.quota(hard: ["services.nodeports": "1"], used: ["services.nodeports": "0"]), .resourceQuotas)
        let old = CoreV1.Service(
            metadata: MetaV1.ObjectMeta(name: "s", namespace: "ns"),
            spec: CoreV1.ServiceSpec(ports: [CoreV1.ServicePort(port: 80), CoreV1.ServicePort(port: 81)], type: "ClusterIP")
        )
        var new = old
        new.spec?.type = "NodePort"
        let attributes = AdmissionAttributes(operation: .update, resource: .services, kind: "Service", namespace: "ns", name: "s", object: new, oldObject: old)
        #expect(
            await Self.message { try await ResourceQuotaAdmission(objects: objects).validate(attributes) }
                == #"403 services "s" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1"#
        )
    }

    // MARK: Default classes

    @Test func claimsAndIngressesGetTheNewestDefaultClass() async throws {
        let objects = InMemoryAdmissionObjects()
        let old = Time(Date(timeIntervalSince1970: 1_000))
        let new = Time(Date(timeIntervalSince1970: 2_000))
        try objects.put(StorageV1.StorageClass(metadata: MetaV1.ObjectMeta(name: "slow", creationTimestamp: old, annotations: ["storageclass.kubernetes.io/is-default-class": "true"]), provisioner: "x"), .storageClasses)
        try objects.put(StorageV1.StorageClass(metadata: MetaV1.ObjectMeta(name: "fast", creationTimestamp: new, annotations: ["storageclass.kubernetes.io/is-default-class": "true"]), provisioner: "x"), .storageClasses)
        try objects.put(StorageV1.StorageClass(metadata: MetaV1.ObjectMeta(name: "other"), provisioner: "x"), .storageClasses)
        try objects.put(NetworkingV1.IngressClass(metadata: MetaV1.ObjectMeta(name: "nginx", annotations: ["ingressclass.kubernetes.io/is-default-class": "true"])), .ingressClasses)

        var claim = Self.create(CoreV1.PersistentVolumeClaim(metadata: MetaV1.ObjectMeta(name: "c", namespace: "ns"), spec: CoreV1.PersistentVolumeClaimSpec()), .persistentVolumeClaims)
        try await DefaultStorageClass(objects: objects).admit(&claim)
        #expect((claim.object as? CoreV1.PersistentVolumeClaim)?.spec?.storageClassName == "fast")

        var explicit = Self.create(CoreV1.PersistentVolumeClaim(metadata: MetaV1.ObjectMeta(name: "c", namespace: "ns"), spec: CoreV1.PersistentVolumeClaimSpec(storageClassName: "")), .persistentVolumeClaims)
        try await DefaultStorageClass(objects: objects).admit(&explicit)
        #expect((explicit.object as? CoreV1.PersistentVolumeClaim)?.spec?.storageClassName == "")

        var ingress = Self.create(NetworkingV1.Ingress(metadata: MetaV1.ObjectMeta(name: "i", namespace: "ns")), .ingresses)
        try await DefaultIngressClass(objects: objects).admit(&ingress)
        #expect((ingress.object as? NetworkingV1.Ingress)?.spec?.ingressClassName == "nginx")
    }

    // MARK: Chain

    @Test func chainRunsInUpstreamOrderAndHonoursDisable() throws {
        #expect(
            try AdmissionPlugins.enabled()
                == ["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", "DefaultIngressClass", "MutatingAdmissionWebhook", "ValidatingAdmissionWebhook", "ResourceQuota"]
        )
        #expect(try AdmissionPlugins.enabled(disable: ["ServiceAccount", "ResourceQuota"]).contains("ServiceAccount") == false)
        #expect(throws: AdmissionConfigurationError.self) { try AdmissionPlugins.enabled(enable: ["AlwaysPullImages"]) }
        // Without a dispatcher the webhook plugins stay out of the chain.
        let chain = AdmissionChain(names: try AdmissionPlugins.enabled(), context: AdmissionPluginContext(objects: InMemoryAdmissionObjects()))
        #expect(chain.names == ["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass", "DefaultIngressClass", "ResourceQuota"])
    }

    struct RecordingDispatcher: AdmissionWebhookDispatcher {
        func dispatchMutating(_ attributes: inout AdmissionAttributes) async throws {
            guard var pod = attributes.object as? CoreV1.Pod else { return }
            pod.metadata.labels = ["webhook": "seen"]
            attributes.object = pod
        }
        func dispatchValidating(_ attributes: AdmissionAttributes) async throws {
            if attributes.object?.metadata.labels?["webhook"] != "seen" { throw APIError.badRequest("not mutated first") }
        }
    }

    @Test func webhookSeamRunsDispatcherInBothPhases() async throws {
        let chain = AdmissionChain(
            names: try AdmissionPlugins.enabled(),
            context: AdmissionPluginContext(objects: InMemoryAdmissionObjects(), webhooks: RecordingDispatcher())
        )
        #expect(chain.names.contains("MutatingAdmissionWebhook"))
        var attributes = Self.create(Self.pod(), .configMaps)
        attributes.namespace = ""
        try await chain.admit(&attributes)
        try await chain.validate(attributes)
        #expect(attributes.object?.metadata.labels == ["webhook": "seen"])
    }
}

extension GroupResource {
    static let configMaps = GroupResource(group: "", resource: "configmaps")
}
