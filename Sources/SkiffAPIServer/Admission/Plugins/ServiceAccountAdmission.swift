import SkiffAPI
import SkiffAPIMachinery

/// Gives pods a service account and its credentials (↔ upstream `plugin/pkg/admission/serviceaccount`,
/// "ServiceAccount", on by default).
///
/// On pod create (not mirror pods, which the kubelet owns):
/// - `spec.serviceAccountName` defaults to `default` (and `spec.serviceAccount`, the deprecated alias, mirrors it);
/// - the service account must exist: otherwise 403 `error looking up service account ns/name: serviceaccount
///   "name" not found`. A missing account is looked up again live (ten times, 100–200 ms apart, for `default`,
///   which the service accounts controller is about to create in a new namespace). Where no controller-manager
///   runs (``toleratesMissingDefault``), a missing `default` is treated as an account with no settings;
/// - unless `automountServiceAccountToken: false` on the pod (or, when the pod says nothing, on the account), a
///   projected volume `kube-api-access-<5 random>` (a bound token expiring in 3607 s, `ca.crt` from the
///   `kube-root-ca.crt` ConfigMap, the namespace from the downward API) is mounted read-only at
///   `/var/run/secrets/kubernetes.io/serviceaccount` in every init container and container that mounts nothing
///   there already;
/// - a pod without `imagePullSecrets` gets the account's.
///
/// Mirror pods may reference neither service accounts, secrets nor token projections (403).
struct ServiceAccountAdmission: MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
    static let pluginName = "ServiceAccount"
    var name: String { Self.pluginName }

    static let defaultServiceAccountName = "default"
    static let tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    static let volumeNamePrefix = "kube-api-access-"
    static let mirrorPodAnnotation = "kubernetes.io/config.mirror"
    /// Upstream's `WarnOnlyBoundTokenExpirationSeconds`: an hour and seven seconds.
    static let tokenExpirationSeconds: Int64 = 3607

    let objects: any AdmissionObjectSource
    let randomSuffix: @Sendable () -> String
    /// Whether a missing `default` account is tolerated: where no service accounts controller creates them (the
    /// API server alone, tests of it); `skiff server` runs one and turns this off.
    var toleratesMissingDefault = true

    private func handles(_ attributes: AdmissionAttributes) -> Bool {
        attributes.isMainResource(.pods) && attributes.operation == .create && attributes.object is CoreV1.Pod
    }

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard self.handles(attributes), var pod = attributes.object as? CoreV1.Pod else { return }
        if pod.metadata.annotations?[Self.mirrorPodAnnotation] != nil { return }
        var spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        if (spec.serviceAccountName ?? "").isEmpty {
            spec.serviceAccountName = (spec.serviceAccount ?? "").isEmpty ? Self.defaultServiceAccountName : spec.serviceAccount
        }
        spec.serviceAccount = spec.serviceAccountName
        let account = try await self.serviceAccount(named: spec.serviceAccountName ?? "", attributes: attributes)
        if spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true {
            self.mountToken(&spec)
        }
        if (spec.imagePullSecrets ?? []).isEmpty, let secrets = account.imagePullSecrets, !secrets.isEmpty {
            spec.imagePullSecrets = secrets
        }
        pod.spec = spec
        attributes.object = pod
    }

    func validate(_ attributes: AdmissionAttributes) async throws {
        guard self.handles(attributes), let pod = attributes.object as? CoreV1.Pod else { return }
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        if pod.metadata.annotations?[Self.mirrorPodAnnotation] != nil {
            if !(spec.serviceAccountName ?? "").isEmpty {
                throw attributes.forbidden("a mirror pod may not reference service accounts")
            }
            if Self.referencesSecrets(spec) {
                throw attributes.forbidden("a mirror pod may not reference secrets")
            }
            for volume in spec.volumes ?? [] where volume.projected?.sources?.contains(where: { $0.serviceAccountToken != nil }) == true {
                throw attributes.forbidden("a mirror pod may not use ServiceAccountToken volume projections")
            }
            return
        }
        guard let accountName = spec.serviceAccountName, !accountName.isEmpty else {
            throw attributes.forbidden("no service account specified for pod \(attributes.namespace)/\(pod.metadata.name ?? "")")
        }
        _ = try await self.serviceAccount(named: accountName, attributes: attributes)
    }

    private func serviceAccount(named name: String, attributes: AdmissionAttributes) async throws -> CoreV1.ServiceAccount {
        if let account = try await self.objects.get(
            CoreV1.ServiceAccount.self,
            .serviceAccounts,
            namespace: attributes.namespace,
            name: name,
            cached: true
        ) {
            return account
        }
        if name == Self.defaultServiceAccountName, self.toleratesMissingDefault {
            return CoreV1.ServiceAccount(metadata: MetaV1.ObjectMeta(name: name, namespace: attributes.namespace))
        }
        // The cache may lag the store, and a new namespace's `default` account is about to be created: ask the store.
        let attempts = name == Self.defaultServiceAccountName ? 10 : 1
        let interval = Duration.milliseconds(Int64.random(in: 100..<200))
        for attempt in 0..<attempts {
            if attempt > 0 { try await Task.sleep(for: interval) }
            if let account = try await self.objects.get(
                CoreV1.ServiceAccount.self,
                .serviceAccounts,
                namespace: attributes.namespace,
                name: name,
                cached: false
            ) {
                return account
            }
        }
        throw attributes.forbidden(
            "error looking up service account \(attributes.namespace)/\(name): serviceaccount \"\(name)\" not found"
        )
    }

    /// Adds the token volume and mounts it where no mount occupies the path (upstream's `mountServiceAccountToken`).
    func mountToken(_ spec: inout CoreV1.PodSpec) {
        var volumes = spec.volumes ?? []
        let existing = volumes.first { $0.name.hasPrefix(Self.volumeNamePrefix) }?.name
        let volumeName = existing ?? Self.volumeNamePrefix + self.randomSuffix()
        let mount = CoreV1.VolumeMount(name: volumeName, readOnly: true, mountPath: Self.tokenMountPath)
        var needed = false
        func mountInto(_ containers: inout [CoreV1.Container]) {
            for index in containers.indices
            where !(containers[index].volumeMounts ?? []).contains(where: { $0.mountPath == Self.tokenMountPath }) {
                containers[index].volumeMounts = (containers[index].volumeMounts ?? []) + [mount]
                needed = true
            }
        }
        if var initContainers = spec.initContainers {
            mountInto(&initContainers)
            spec.initContainers = initContainers
        }
        mountInto(&spec.containers)
        if needed, existing == nil {
            volumes.append(CoreV1.Volume(name: volumeName, projected: Self.tokenVolumeSource))
            spec.volumes = volumes
        }
    }

    /// The projected token volume upstream mounts (`TokenVolumeSource`).
    static let tokenVolumeSource = CoreV1.ProjectedVolumeSource(
        sources: [
            CoreV1.VolumeProjection(
                serviceAccountToken: CoreV1.ServiceAccountTokenProjection(
                    expirationSeconds: Self.tokenExpirationSeconds,
                    path: "token"
                )
            ),
            CoreV1.VolumeProjection(
                configMap: CoreV1.ConfigMapProjection(
                    name: "kube-root-ca.crt",
                    items: [CoreV1.KeyToPath(key: "ca.crt", path: "ca.crt")]
                )
            ),
            CoreV1.VolumeProjection(
                downwardAPI: CoreV1.DownwardAPIProjection(
                    items: [
                        CoreV1.DownwardAPIVolumeFile(
                            path: "namespace",
                            fieldRef: CoreV1.ObjectFieldSelector(apiVersion: "v1", fieldPath: "metadata.namespace")
                        )
                    ]
                )
            ),
        ],
        defaultMode: 0o644
    )

    /// Whether the pod names a secret anywhere (volumes, env, envFrom, pull secrets).
    private static func referencesSecrets(_ spec: CoreV1.PodSpec) -> Bool {
        if !(spec.imagePullSecrets ?? []).isEmpty { return true }
        for volume in spec.volumes ?? [] {
            if volume.secret != nil { return true }
            if volume.projected?.sources?.contains(where: { $0.secret != nil }) == true { return true }
        }
        for container in (spec.initContainers ?? []) + spec.containers {
            if container.env?.contains(where: { $0.valueFrom?.secretKeyRef != nil }) == true { return true }
            if container.envFrom?.contains(where: { $0.secretRef != nil }) == true { return true }
        }
        return false
    }
}
