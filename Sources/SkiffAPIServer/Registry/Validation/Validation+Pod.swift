import SkiffAPI
import SkiffAPIMachinery

/// What pod validation needs of a container, shared by regular, init and ephemeral containers.
protocol ValidatedContainer {
    var name: String { get }
    var image: String? { get }
    var ports: [CoreV1.ContainerPort]? { get }
    var envFrom: [CoreV1.EnvFromSource]? { get }
    var env: [CoreV1.EnvVar]? { get }
    var resources: CoreV1.ResourceRequirements? { get }
    var restartPolicy: String? { get }
    var volumeMounts: [CoreV1.VolumeMount]? { get }
    var livenessProbe: CoreV1.Probe? { get }
    var readinessProbe: CoreV1.Probe? { get }
    var startupProbe: CoreV1.Probe? { get }
    var lifecycle: CoreV1.Lifecycle? { get }
    var terminationMessagePolicy: String? { get }
    var imagePullPolicy: String? { get }
    var securityContext: CoreV1.SecurityContext? { get }
}

extension CoreV1.Container: ValidatedContainer {}
extension CoreV1.EphemeralContainer: ValidatedContainer {}

/// Upstream's pod validation (↔ `pkg/apis/core/validation`: `ValidatePodCreate`, `ValidatePodSpec`,
/// `ValidatePodTemplateSpec`, `ValidatePodUpdate`).
enum PodValidation {
    static let supportedPortProtocols = ["SCTP", "TCP", "UDP"]
    static let supportedPullPolicies = ["Always", "IfNotPresent", "Never"]
    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let fileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive"

    // MARK: Pods

    /// `ValidatePodCreate`: metadata, spec, and the rules only pods (not templates) follow.
    static func validateCreate(_ pod: CoreV1.Pod) -> [FieldError] {
        var errors = Self.metadataAndSpec(pod)
        let spec = FieldPath("spec")
        if let ephemeral = pod.spec?.ephemeralContainers, !ephemeral.isEmpty {
            errors.append(.forbidden(spec.child("ephemeralContainers"), "cannot be set on create"))
        }
        if let podSpec = pod.spec, !(podSpec.nodeName ?? "").isEmpty, !(podSpec.schedulingGates ?? []).isEmpty {
            errors.append(.forbidden(spec.child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
        }
        return errors
    }

    private static func metadataAndSpec(_ pod: CoreV1.Pod) -> [FieldError] {
        var errors = CommonValidation.objectMeta(pod.metadata, namespaced: true, name: CommonValidation.dnsSubdomainName)
        let specPath = FieldPath("spec")
        guard let spec = pod.spec else {
            errors.append(.required(specPath.child("containers"), ""))
            return errors
        }
        errors += Self.podSpec(spec, path: specPath)
        errors += Self.containersOnlyForPod(spec.containers, path: specPath.child("containers"))
        errors += Self.containersOnlyForPod(spec.initContainers ?? [], path: specPath.child("initContainers"))
        if (spec.serviceAccountName ?? "").isEmpty {
            for (volumeIndex, volume) in (spec.volumes ?? []).enumerated() {
                for (sourceIndex, source) in (volume.projected?.sources ?? []).enumerated()
                where source.serviceAccountToken != nil {
                    errors.append(
                        .forbidden(
                            specPath.child("volumes").index(volumeIndex).child("projected").child("sources")
                                .index(sourceIndex).child("serviceAccountToken"),
                            "must not be specified when serviceAccountName is not set"
                        )
                    )
                }
            }
        }
        return errors
    }

    /// `validateContainersOnlyForPod`: a pod's images may not have surrounding whitespace.
    private static func containersOnlyForPod(_ containers: [CoreV1.Container], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, container) in containers.enumerated() {
            let image = container.image ?? ""
            if image != Self.trimmed(image) {
                errors.append(
                    .invalid(path.index(index).child("image"), image, "must not have leading or trailing whitespace")
                )
            }
        }
        return errors
    }

    /// `ValidatePodTemplateSpec`: the template's labels, annotations and spec (paths under `path`).
    static func podTemplateSpec(_ template: CoreV1.PodTemplateSpec, path: FieldPath) -> [FieldError] {
        var errors = CommonValidation.labels(template.metadata.labels, path: path.child("labels"))
        errors += CommonValidation.annotations(template.metadata.annotations, path: path.child("annotations"))
        guard let spec = template.spec else {
            errors.append(.required(path.child("spec", "containers"), ""))
            return errors
        }
        errors += Self.podSpec(spec, path: path.child("spec"))
        if let ephemeral = spec.ephemeralContainers, !ephemeral.isEmpty {
            errors.append(
                .forbidden(path.child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template")
            )
        }
        return errors
    }

    /// `ValidatePodSpec`.
    static func podSpec(_ spec: CoreV1.PodSpec, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let (volumes, volumeErrors) = Self.volumes(spec.volumes ?? [], path: path.child("volumes"))
        errors += volumeErrors
        errors += Self.containers(spec.containers, volumes: volumes, path: path.child("containers"))
        errors += Self.initContainers(
            spec.initContainers ?? [],
            others: spec.containers,
            volumes: volumes,
            path: path.child("initContainers")
        )
        errors += Self.ephemeralContainers(spec, volumes: volumes, path: path.child("ephemeralContainers"))
        errors += Self.restartPolicy(spec.restartPolicy, path: path.child("restartPolicy"))
        errors += Self.dnsPolicy(spec.dnsPolicy, path: path.child("dnsPolicy"))
        errors += CommonValidation.labels(spec.nodeSelector, path: path.child("nodeSelector"))
        errors += Self.podSecurityContext(spec.securityContext, path: path.child("securityContext"))
        for (index, secret) in (spec.imagePullSecrets ?? []).enumerated() where (secret.name ?? "").isEmpty {
            errors.append(.required(path.child("imagePullSecrets").index(index).child("name"), ""))
        }
        errors += Self.dnsConfig(spec.dnsConfig, policy: spec.dnsPolicy, path: path.child("dnsConfig"))
        for (index, gate) in (spec.readinessGates ?? []).enumerated() {
            errors += CommonValidation.qualifiedName(
                gate.conditionType,
                path: path.child("readinessGates").index(index).child("conditionType")
            )
        }
        var gateNames = Set<String>()
        for (index, gate) in (spec.schedulingGates ?? []).enumerated() {
            let gatePath = path.child("schedulingGates").index(index).child("name")
            errors += CommonValidation.qualifiedName(gate.name, path: gatePath)
            if !gateNames.insert(gate.name).inserted { errors.append(.duplicate(gatePath, gate.name)) }
        }
        errors += Self.topologySpreadConstraints(spec.topologySpreadConstraints ?? [], path: path.child("topologySpreadConstraints"))
        if let account = spec.serviceAccountName, !account.isEmpty {
            for message in Validation.nameIsDNSSubdomain(account, prefix: false) {
                errors.append(.invalid(path.child("serviceAccountName"), account, message))
            }
        }
        if let node = spec.nodeName, !node.isEmpty {
            for message in Validation.nameIsDNSSubdomain(node, prefix: false) {
                errors.append(.invalid(path.child("nodeName"), node, message))
            }
        }
        if let deadline = spec.activeDeadlineSeconds, deadline < 1 || deadline > Int64(Int32.max) {
            errors.append(
                .invalid(path.child("activeDeadlineSeconds"), deadline, Validation.inclusiveRangeError(1, Int(Int32.max)))
            )
        }
        if let hostname = spec.hostname, !hostname.isEmpty {
            errors += CommonValidation.dns1123Label(hostname, path: path.child("hostname"))
        }
        if let subdomain = spec.subdomain, !subdomain.isEmpty {
            errors += CommonValidation.dns1123Label(subdomain, path: path.child("subdomain"))
        }
        if let tolerations = spec.tolerations, !tolerations.isEmpty {
            errors += Self.tolerations(tolerations, path: path.child("tolerations"))
        }
        for (index, alias) in (spec.hostAliases ?? []).enumerated() {
            let aliasPath = path.child("hostAliases").index(index)
            if !Validation.isIPAddress(alias.ip) {
                errors.append(.invalid(aliasPath.child("ip"), alias.ip, Validation.invalidIPMessage))
            }
            for (nameIndex, hostname) in (alias.hostnames ?? []).enumerated() {
                errors += CommonValidation.dns1123Subdomain(hostname, path: aliasPath.child("hostnames").index(nameIndex))
            }
        }
        if let priorityClass = spec.priorityClassName, !priorityClass.isEmpty {
            for message in Validation.nameIsDNSSubdomain(priorityClass, prefix: false) {
                errors.append(.invalid(path.child("priorityClassName"), priorityClass, message))
            }
        }
        if let runtimeClass = spec.runtimeClassName {
            for message in Validation.nameIsDNSSubdomain(runtimeClass, prefix: false) {
                errors.append(.invalid(path.child("runtimeClassName"), runtimeClass, message))
            }
        }
        if let policy = spec.preemptionPolicy, policy != "PreemptLowerPriority", policy != "Never" {
            errors.append(.notSupported(path.child("preemptionPolicy"), policy, ["Never", "PreemptLowerPriority"]))
        }
        if let os = spec.os {
            if os.name.isEmpty {
                errors.append(.required(path.child("os", "name"), ""))
            } else if os.name != "linux" && os.name != "windows" {
                errors.append(.notSupported(path.child("os", "name"), os.name, ["linux", "windows"]))
            }
        }
        return errors
    }

    // MARK: Volumes

    /// `ValidateVolumes`: each volume has a valid unique name and exactly one valid source; returns the names of
    /// the valid volumes, which mounts may reference.
    static func volumes(_ volumes: [CoreV1.Volume], path: FieldPath) -> (Set<String>, [FieldError]) {
        var names = Set<String>()
        var errors: [FieldError] = []
        for (index, volume) in volumes.enumerated() {
            let volumePath = path.index(index)
            var volumeErrors = Self.volumeSource(volume, path: volumePath)
            if volume.name.isEmpty {
                volumeErrors.append(.required(volumePath.child("name"), ""))
            } else {
                volumeErrors += CommonValidation.dns1123Label(volume.name, path: volumePath.child("name"))
            }
            if names.contains(volume.name) {
                volumeErrors.append(.duplicate(volumePath.child("name"), volume.name))
            }
            if volumeErrors.isEmpty {
                names.insert(volume.name)
            } else {
                errors += volumeErrors
            }
        }
        return (names, errors)
    }

    /// The sources a volume sets, in upstream's checking order.
    private static func sourceNames(_ volume: CoreV1.Volume) -> [String] {
        var names: [String] = []
        if volume.emptyDir != nil { names.append("emptyDir") }
        if volume.hostPath != nil { names.append("hostPath") }
        if volume.gitRepo != nil { names.append("gitRepo") }
        if volume.gcePersistentDisk != nil { names.append("gcePersistentDisk") }
        if volume.awsElasticBlockStore != nil { names.append("awsElasticBlockStore") }
        if volume.secret != nil { names.append("secret") }
        if volume.nfs != nil { names.append("nfs") }
        if volume.iscsi != nil { names.append("iscsi") }
        if volume.glusterfs != nil { names.append("glusterfs") }
        if volume.flocker != nil { names.append("flocker") }
        if volume.persistentVolumeClaim != nil { names.append("persistentVolumeClaim") }
        if volume.rbd != nil { names.append("rbd") }
        if volume.quobyte != nil { names.append("quobyte") }
        if volume.cinder != nil { names.append("cinder") }
        if volume.cephfs != nil { names.append("cephfs") }
        if volume.downwardAPI != nil { names.append("downwardAPI") }
        if volume.fc != nil { names.append("fc") }
        if volume.flexVolume != nil { names.append("flexVolume") }
        if volume.configMap != nil { names.append("configMap") }
        if volume.azureFile != nil { names.append("azureFile") }
        if volume.vsphereVolume != nil { names.append("vsphereVolume") }
        if volume.photonPersistentDisk != nil { names.append("photonPersistentDisk") }
        if volume.portworxVolume != nil { names.append("portworxVolume") }
        if volume.azureDisk != nil { names.append("azureDisk") }
        if volume.storageos != nil { names.append("storageos") }
        if volume.scaleIO != nil { names.append("scaleIO") }
        if volume.projected != nil { names.append("projected") }
        if volume.csi != nil { names.append("csi") }
        if volume.ephemeral != nil { names.append("ephemeral") }
        if volume.image != nil { names.append("image") }
        return names
    }

    /// `validateVolumeSource`: exactly one source, and the common sources' own rules.
    private static func volumeSource(_ volume: CoreV1.Volume, path: FieldPath) -> [FieldError] {
        let sources = Self.sourceNames(volume)
        guard let first = sources.first else {
            return [.required(path, "must specify a volume type")]
        }
        var errors: [FieldError] = sources.dropFirst().map {
            .forbidden(path.child($0), "may not specify more than 1 volume type")
        }
        _ = first
        if let emptyDir = volume.emptyDir, let limit = emptyDir.sizeLimit, limit.sign < 0 {
            errors.append(
                .forbidden(path.child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity")
            )
        }
        if let hostPath = volume.hostPath {
            let hostPathPath = path.child("hostPath")
            if hostPath.path.isEmpty {
                errors.append(.required(hostPathPath.child("path"), ""))
            } else if hostPath.path.split(separator: "/").contains("..") {
                errors.append(.invalid(hostPathPath.child("path"), hostPath.path, "must not contain '..'"))
            }
            let types = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]
            if let type = hostPath.type, !types.contains(type) {
                errors.append(.notSupported(hostPathPath.child("type"), type, types))
            }
        }
        if let secret = volume.secret {
            let secretPath = path.child("secret")
            if (secret.secretName ?? "").isEmpty { errors.append(.required(secretPath.child("secretName"), "")) }
            errors += Self.fileMode(secret.defaultMode, path: secretPath.child("defaultMode"))
            errors += Self.keyToPaths(secret.items ?? [], path: secretPath.child("items"))
        }
        if let configMap = volume.configMap {
            let configMapPath = path.child("configMap")
            if (configMap.name ?? "").isEmpty { errors.append(.required(configMapPath.child("name"), "")) }
            errors += Self.fileMode(configMap.defaultMode, path: configMapPath.child("defaultMode"))
            errors += Self.keyToPaths(configMap.items ?? [], path: configMapPath.child("items"))
        }
        if let claim = volume.persistentVolumeClaim, claim.claimName.isEmpty {
            errors.append(.required(path.child("persistentVolumeClaim", "claimName"), ""))
        }
        if let nfs = volume.nfs {
            let nfsPath = path.child("nfs")
            if nfs.server.isEmpty { errors.append(.required(nfsPath.child("server"), "")) }
            if nfs.path.isEmpty {
                errors.append(.required(nfsPath.child("path"), ""))
            } else if !nfs.path.hasPrefix("/") {
                errors.append(.invalid(nfsPath.child("path"), nfs.path, "must be an absolute path"))
            }
        }
        if let downward = volume.downwardAPI {
            errors += Self.fileMode(downward.defaultMode, path: path.child("downwardAPI", "defaultMode"))
        }
        if let projected = volume.projected {
            errors += Self.fileMode(projected.defaultMode, path: path.child("projected", "defaultMode"))
            for (index, source) in (projected.sources ?? []).enumerated() {
                let count = [
                    source.secret != nil, source.configMap != nil, source.downwardAPI != nil,
                    source.serviceAccountToken != nil, source.clusterTrustBundle != nil, source.podCertificate != nil,
                ].filter { $0 }.count
                if count == 0 {
                    errors.append(.required(path.child("projected", "sources").index(index), "must specify exactly 1 of: secret, configMap, downwardAPI, serviceAccountToken, clusterTrustBundle"))
                }
            }
        }
        return errors
    }

    private static func fileMode(_ mode: Int32?, path: FieldPath) -> [FieldError] {
        guard let mode, mode < 0 || mode > 0o777 else { return [] }
        return [.invalid(path, mode, Self.fileModeMessage)]
    }

    /// `validateKeyToPath` for each item.
    private static func keyToPaths(_ items: [CoreV1.KeyToPath], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.index(index)
            if item.key.isEmpty { errors.append(.required(itemPath.child("key"), "")) }
            if item.path.isEmpty {
                errors.append(.required(itemPath.child("path"), ""))
            } else {
                errors += Self.localNonReservedPath(item.path, path: itemPath.child("path"))
            }
            errors += Self.fileMode(item.mode, path: itemPath.child("mode"))
        }
        return errors
    }

    /// `validateLocalNonReservedPath`: relative, no `..` element, not starting with `..`.
    private static func localNonReservedPath(_ value: String, path: FieldPath) -> [FieldError] {
        var errors = Self.localDescendingPath(value, path: path)
        if value.hasPrefix("..") {
            errors.append(.invalid(path, value, "must not start with '..'"))
        }
        return errors
    }

    /// `validateLocalDescendingPath`: relative and without `..` elements.
    private static func localDescendingPath(_ value: String, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if value.hasPrefix("/") {
            errors.append(.invalid(path, value, "must be a relative path"))
        }
        if value.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            errors.append(.invalid(path, value, "must not contain '..'"))
        }
        return errors
    }

    // MARK: Containers

    /// `validateContainers`: at least one; common rules; unique names; probes; no `restartPolicy`; host ports.
    static func containers(_ containers: [CoreV1.Container], volumes: Set<String>, path: FieldPath) -> [FieldError] {
        guard !containers.isEmpty else { return [.required(path, "")] }
        var errors: [FieldError] = []
        var names = Set<String>()
        for (index, container) in containers.enumerated() {
            let containerPath = path.index(index)
            errors += Self.containerCommon(container, volumes: volumes, path: containerPath)
            if !names.insert(container.name).inserted {
                errors.append(.duplicate(containerPath.child("name"), container.name))
            }
            errors += Self.probe(container.livenessProbe, path: containerPath.child("livenessProbe"), mustSucceedOnce: true)
            errors += Self.probe(container.readinessProbe, path: containerPath.child("readinessProbe"), readiness: true)
            errors += Self.probe(container.startupProbe, path: containerPath.child("startupProbe"), mustSucceedOnce: true)
            errors += Self.lifecycle(container.lifecycle, path: containerPath.child("lifecycle"))
            if container.restartPolicy != nil {
                errors.append(.forbidden(containerPath.child("restartPolicy"), "may not be set for non-init containers"))
            }
        }
        errors += Self.hostPortConflicts(containers, path: path)
        return errors
    }

    /// `validateInitContainers`: common rules; names unique across init and regular containers; the probes and
    /// lifecycle only sidecars (`restartPolicy: Always`) may have.
    static func initContainers(
        _ containers: [CoreV1.Container],
        others: [CoreV1.Container],
        volumes: Set<String>,
        path: FieldPath
    ) -> [FieldError] {
        var errors: [FieldError] = []
        var names = Set(others.map(\.name))
        for (index, container) in containers.enumerated() {
            let containerPath = path.index(index)
            errors += Self.containerCommon(container, volumes: volumes, path: containerPath)
            var isSidecar = false
            if let policy = container.restartPolicy {
                if policy == "Always" {
                    isSidecar = true
                } else {
                    errors.append(.notSupported(containerPath.child("restartPolicy"), policy, ["Always"]))
                }
            }
            if names.contains(container.name) {
                errors.append(.duplicate(containerPath.child("name"), container.name))
            } else if !container.name.isEmpty {
                names.insert(container.name)
            }
            errors += Self.hostPortConflicts([container], path: path)
            if isSidecar {
                errors += Self.probe(container.livenessProbe, path: containerPath.child("livenessProbe"), mustSucceedOnce: true)
                errors += Self.probe(container.readinessProbe, path: containerPath.child("readinessProbe"), readiness: true)
                errors += Self.probe(container.startupProbe, path: containerPath.child("startupProbe"), mustSucceedOnce: true)
                errors += Self.lifecycle(container.lifecycle, path: containerPath.child("lifecycle"))
            } else {
                let message = "may not be set for init containers without restartPolicy=Always"
                if container.lifecycle != nil { errors.append(.forbidden(containerPath.child("lifecycle"), message)) }
                if container.livenessProbe != nil { errors.append(.forbidden(containerPath.child("livenessProbe"), message)) }
                if container.readinessProbe != nil { errors.append(.forbidden(containerPath.child("readinessProbe"), message)) }
                if container.startupProbe != nil { errors.append(.forbidden(containerPath.child("startupProbe"), message)) }
            }
        }
        return errors
    }

    /// `validateEphemeralContainers`: common rules, names unique across all containers, no ports, probes,
    /// lifecycle or resources, and a target container that exists.
    private static func ephemeralContainers(_ spec: CoreV1.PodSpec, volumes: Set<String>, path: FieldPath) -> [FieldError] {
        guard let containers = spec.ephemeralContainers, !containers.isEmpty else { return [] }
        var errors: [FieldError] = []
        var others = Set(spec.containers.map(\.name))
        for container in spec.initContainers ?? [] { others.insert(container.name) }
        var names = Set<String>()
        for (index, container) in containers.enumerated() {
            let containerPath = path.index(index)
            errors += Self.containerCommon(container, volumes: volumes, path: containerPath)
            if others.contains(container.name) || !names.insert(container.name).inserted {
                errors.append(.duplicate(containerPath.child("name"), container.name))
            }
            if let target = container.targetContainerName, !target.isEmpty, !others.contains(target) {
                errors.append(.notFound(containerPath.child("targetContainerName"), target))
            }
            if !(container.ports ?? []).isEmpty {
                errors.append(.forbidden(containerPath.child("ports"), "cannot be set for an Ephemeral Container"))
            }
            for (field, set) in [
                ("lifecycle", container.lifecycle != nil), ("livenessProbe", container.livenessProbe != nil),
                ("readinessProbe", container.readinessProbe != nil), ("startupProbe", container.startupProbe != nil),
            ] where set {
                errors.append(.forbidden(containerPath.child(field), "cannot be set for an Ephemeral Container"))
            }
        }
        return errors
    }

    /// `validateContainerCommon`.
    private static func containerCommon(_ container: some ValidatedContainer, volumes: Set<String>, path: FieldPath)
        -> [FieldError]
    {
        var errors: [FieldError] = []
        if container.name.isEmpty {
            errors.append(.required(path.child("name"), ""))
        } else {
            errors += CommonValidation.dns1123Label(container.name, path: path.child("name"))
        }
        if (container.image ?? "").isEmpty {
            errors.append(.required(path.child("image"), ""))
        }
        if let policy = container.terminationMessagePolicy {
            if policy.isEmpty {
                errors.append(.required(path.child("terminationMessagePolicy"), ""))
            } else if policy != "File" && policy != "FallbackToLogsOnError" {
                errors.append(
                    .invalid(
                        path.child("terminationMessagePolicy"),
                        policy,
                        "must be 'File' or 'FallbackToLogsOnError'"
                    )
                )
            }
        }
        errors += Self.containerPorts(container.ports ?? [], path: path.child("ports"))
        errors += Self.envFrom(container.envFrom ?? [], path: path.child("envFrom"))
        errors += Self.env(container.env ?? [], path: path.child("env"))
        errors += Self.volumeMounts(container.volumeMounts ?? [], volumes: volumes, path: path.child("volumeMounts"))
        errors += Self.pullPolicy(container.imagePullPolicy, path: path.child("imagePullPolicy"))
        errors += Self.resourceRequirements(container.resources, path: path.child("resources"))
        errors += Self.securityContext(container.securityContext, path: path.child("securityContext"))
        return errors
    }

    /// `validateContainerPorts`.
    static func containerPorts(_ ports: [CoreV1.ContainerPort], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var names = Set<String>()
        for (index, port) in ports.enumerated() {
            let portPath = path.index(index)
            if let name = port.name, !name.isEmpty {
                let problems = Validation.isValidPortName(name)
                if !problems.isEmpty {
                    for message in problems { errors.append(.invalid(portPath.child("name"), name, message)) }
                } else if !names.insert(name).inserted {
                    errors.append(.duplicate(portPath.child("name"), name))
                }
            }
            if port.containerPort == 0 {
                errors.append(.required(portPath.child("containerPort"), ""))
            } else {
                for message in Validation.isValidPortNum(Int(port.containerPort)) {
                    errors.append(.invalid(portPath.child("containerPort"), port.containerPort, message))
                }
            }
            if let hostPort = port.hostPort, hostPort != 0 {
                for message in Validation.isValidPortNum(Int(hostPort)) {
                    errors.append(.invalid(portPath.child("hostPort"), hostPort, message))
                }
            }
            let proto = port.protocol ?? ""
            if proto.isEmpty {
                errors.append(.required(portPath.child("protocol"), ""))
            } else if !Self.supportedPortProtocols.contains(proto) {
                errors.append(.notSupported(portPath.child("protocol"), proto, Self.supportedPortProtocols))
            }
        }
        return errors
    }

    /// `checkHostPortConflicts`: a host IP, protocol and port used once.
    private static func hostPortConflicts(_ containers: [CoreV1.Container], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var seen = Set<String>()
        for (containerIndex, container) in containers.enumerated() {
            for (portIndex, port) in (container.ports ?? []).enumerated() {
                guard let hostPort = port.hostPort, hostPort != 0 else { continue }
                let key = "\(port.hostIP ?? "")/\(port.protocol ?? "")/\(hostPort)"
                if !seen.insert(key).inserted {
                    errors.append(
                        .duplicate(path.index(containerIndex).child("ports").index(portIndex).child("hostPort"), key)
                    )
                }
            }
        }
        return errors
    }

    /// `ValidateEnv` (relaxed names, the 1.32 default) and `validateEnvVarValueFrom`.
    static func env(_ variables: [CoreV1.EnvVar], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, variable) in variables.enumerated() {
            let variablePath = path.index(index)
            if variable.name.isEmpty {
                errors.append(.required(variablePath.child("name"), ""))
            }
            for message in Validation.isRelaxedEnvVarName(variable.name) {
                errors.append(.invalid(variablePath.child("name"), variable.name, message))
            }
            guard let source = variable.valueFrom else { continue }
            let sourcePath = variablePath.child("valueFrom")
            var count = 0
            if let fieldRef = source.fieldRef {
                count += 1
                errors += Self.objectFieldSelector(fieldRef, path: sourcePath.child("fieldRef"))
            }
            if let resourceRef = source.resourceFieldRef {
                count += 1
                if resourceRef.resource.isEmpty {
                    errors.append(.required(sourcePath.child("resourceFieldRef", "resource"), ""))
                }
            }
            if let configMapRef = source.configMapKeyRef {
                count += 1
                errors += Self.keySelector(name: configMapRef.name, key: configMapRef.key, path: sourcePath.child("configMapKeyRef"))
            }
            if let secretRef = source.secretKeyRef {
                count += 1
                errors += Self.keySelector(name: secretRef.name, key: secretRef.key, path: sourcePath.child("secretKeyRef"))
            }
            if source.fileKeyRef != nil { count += 1 }
            if count == 0 {
                errors.append(
                    .invalid(
                        sourcePath,
                        "",
                        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
                    )
                )
            } else if !(variable.value ?? "").isEmpty {
                errors.append(.invalid(sourcePath, "", "may not be specified when `value` is not empty"))
            } else if count > 1 {
                errors.append(.invalid(sourcePath, "", "may not have more than one field specified at a time"))
            }
        }
        return errors
    }

    static let downwardEnvFieldPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]

    /// `validateObjectFieldSelector` for environment variables.
    private static func objectFieldSelector(_ selector: CoreV1.ObjectFieldSelector, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if (selector.apiVersion ?? "").isEmpty {
            errors.append(.required(path.child("apiVersion"), ""))
        } else if selector.fieldPath.isEmpty {
            errors.append(.required(path.child("fieldPath"), ""))
        } else {
            let fieldPath = selector.fieldPath
            let subscripted =
                (fieldPath.hasPrefix("metadata.labels['") || fieldPath.hasPrefix("metadata.annotations['"))
                && fieldPath.hasSuffix("']")
            if !subscripted && !Self.downwardEnvFieldPaths.contains(fieldPath) {
                errors.append(.notSupported(path.child("fieldPath"), fieldPath, Self.downwardEnvFieldPaths))
            }
        }
        return errors
    }

    /// `validateConfigMapKeySelector` / `validateSecretKeySelector`.
    private static func keySelector(name: String?, key: String, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if (name ?? "").isEmpty { errors.append(.required(path.child("name"), "")) }
        if key.isEmpty {
            errors.append(.required(path.child("key"), ""))
        } else {
            for message in Validation.isConfigMapKey(key) {
                errors.append(.invalid(path.child("key"), key, message))
            }
        }
        return errors
    }

    /// `validateEnvFrom`: a valid prefix and exactly one source with a name.
    private static func envFrom(_ sources: [CoreV1.EnvFromSource], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, source) in sources.enumerated() {
            let sourcePath = path.index(index)
            if let prefix = source.prefix, !prefix.isEmpty {
                for message in Validation.isRelaxedEnvVarName(prefix) {
                    errors.append(.invalid(sourcePath.child("prefix"), prefix, message))
                }
            }
            var count = 0
            if let configMap = source.configMapRef {
                count += 1
                if (configMap.name ?? "").isEmpty {
                    errors.append(.required(sourcePath.child("configMapRef", "name"), ""))
                } else {
                    errors += CommonValidation.dns1123Subdomain(configMap.name!, path: sourcePath.child("configMapRef", "name"))
                }
            }
            if let secret = source.secretRef {
                count += 1
                if (secret.name ?? "").isEmpty {
                    errors.append(.required(sourcePath.child("secretRef", "name"), ""))
                } else {
                    errors += CommonValidation.dns1123Subdomain(secret.name!, path: sourcePath.child("secretRef", "name"))
                }
            }
            if count == 0 {
                errors.append(.invalid(sourcePath, "", "must specify one of: `configMapRef` or `secretRef`"))
            } else if count > 1 {
                errors.append(.invalid(sourcePath, "", "may not have more than one field specified at a time"))
            }
        }
        return errors
    }

    /// `ValidateVolumeMounts`: a name that refers to a volume, a unique mount path, a relative sub-path.
    static func volumeMounts(_ mounts: [CoreV1.VolumeMount], volumes: Set<String>, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var mountPoints = Set<String>()
        for (index, mount) in mounts.enumerated() {
            let mountPath = path.index(index)
            if mount.name.isEmpty {
                errors.append(.required(mountPath.child("name"), ""))
            }
            if !volumes.contains(mount.name) {
                errors.append(.notFound(mountPath.child("name"), mount.name))
            }
            if mount.mountPath.isEmpty {
                errors.append(.required(mountPath.child("mountPath"), ""))
            }
            if !mountPoints.insert(mount.mountPath).inserted {
                errors.append(.invalid(mountPath.child("mountPath"), mount.mountPath, "must be unique"))
            }
            if let subPath = mount.subPath, !subPath.isEmpty {
                errors += Self.localDescendingPath(subPath, path: path.child("subPath"))
            }
            if let propagation = mount.mountPropagation,
                !["None", "HostToContainer", "Bidirectional"].contains(propagation)
            {
                errors.append(
                    .notSupported(mountPath.child("mountPropagation"), propagation, ["Bidirectional", "HostToContainer", "None"])
                )
            }
        }
        return errors
    }

    /// `validatePullPolicy`.
    private static func pullPolicy(_ policy: String?, path: FieldPath) -> [FieldError] {
        let policy = policy ?? ""
        if policy.isEmpty { return [.required(path, "")] }
        if !Self.supportedPullPolicies.contains(policy) {
            return [.notSupported(path, policy, Self.supportedPullPolicies)]
        }
        return []
    }

    // MARK: Probes and lifecycle

    /// `validateProbe` plus the liveness/startup (`successThreshold` must be 1) and readiness rules.
    private static func probe(
        _ probe: CoreV1.Probe?,
        path: FieldPath,
        mustSucceedOnce: Bool = false,
        readiness: Bool = false
    ) -> [FieldError] {
        guard let probe else { return [] }
        var errors = Self.handler(
            exec: probe.exec,
            httpGet: probe.httpGet,
            tcpSocket: probe.tcpSocket,
            grpc: probe.grpc,
            sleep: nil,
            path: path
        )
        errors += CommonValidation.nonnegative(probe.initialDelaySeconds, path: path.child("initialDelaySeconds"))
        errors += CommonValidation.nonnegative(probe.timeoutSeconds, path: path.child("timeoutSeconds"))
        errors += CommonValidation.nonnegative(probe.periodSeconds, path: path.child("periodSeconds"))
        errors += CommonValidation.nonnegative(probe.successThreshold, path: path.child("successThreshold"))
        errors += CommonValidation.nonnegative(probe.failureThreshold, path: path.child("failureThreshold"))
        if let grace = probe.terminationGracePeriodSeconds, grace <= 0 {
            errors.append(.invalid(path.child("terminationGracePeriodSeconds"), grace, "must be greater than 0"))
        }
        if mustSucceedOnce, let threshold = probe.successThreshold, threshold != 1 {
            errors.append(.invalid(path.child("successThreshold"), threshold, "must be 1"))
        }
        if readiness, let grace = probe.terminationGracePeriodSeconds {
            errors.append(
                .invalid(path.child("terminationGracePeriodSeconds"), grace, "must not be set for readinessProbes")
            )
        }
        return errors
    }

    private static func lifecycle(_ lifecycle: CoreV1.Lifecycle?, path: FieldPath) -> [FieldError] {
        guard let lifecycle else { return [] }
        var errors: [FieldError] = []
        for (name, handler) in [("postStart", lifecycle.postStart), ("preStop", lifecycle.preStop)] {
            guard let handler else { continue }
            errors += Self.handler(
                exec: handler.exec,
                httpGet: handler.httpGet,
                tcpSocket: handler.tcpSocket,
                grpc: nil,
                sleep: handler.sleep,
                path: path.child(name)
            )
        }
        return errors
    }

    /// `validateHandler`: exactly one handler, each valid.
    private static func handler(
        exec: CoreV1.ExecAction?,
        httpGet: CoreV1.HTTPGetAction?,
        tcpSocket: CoreV1.TCPSocketAction?,
        grpc: CoreV1.GRPCAction?,
        sleep: CoreV1.SleepAction?,
        path: FieldPath
    ) -> [FieldError] {
        var errors: [FieldError] = []
        var count = 0
        let tooMany = "may not specify more than 1 handler type"
        if let exec {
            count += 1
            if (exec.command ?? []).isEmpty { errors.append(.required(path.child("exec", "command"), "")) }
        }
        if let httpGet {
            if count > 0 {
                errors.append(.forbidden(path.child("httpGet"), tooMany))
            } else {
                count += 1
                let httpPath = path.child("httpGet")
                if (httpGet.path ?? "").isEmpty { errors.append(.required(httpPath.child("path"), "")) }
                errors += Self.portNumOrName(httpGet.port, path: httpPath.child("port"))
                let scheme = httpGet.scheme ?? ""
                if scheme != "HTTP" && scheme != "HTTPS" {
                    errors.append(.notSupported(httpPath.child("scheme"), scheme, ["HTTP", "HTTPS"]))
                }
            }
        }
        if let tcpSocket {
            if count > 0 {
                errors.append(.forbidden(path.child("tcpSocket"), tooMany))
            } else {
                count += 1
                errors += Self.portNumOrName(tcpSocket.port, path: path.child("tcpSocket", "port"))
            }
        }
        if let grpc {
            if count > 0 {
                errors.append(.forbidden(path.child("grpc"), tooMany))
            } else {
                count += 1
                for message in Validation.isValidPortNum(Int(grpc.port)) {
                    errors.append(.invalid(path.child("grpc", "port"), grpc.port, message))
                }
            }
        }
        if let sleep {
            if count > 0 {
                errors.append(.forbidden(path.child("sleep"), tooMany))
            } else {
                count += 1
                if sleep.seconds < 0 {
                    errors.append(.invalid(path.child("sleep", "seconds"), sleep.seconds, "must be non-negative"))
                }
            }
        }
        if count == 0 { errors.append(.required(path, "must specify a handler type")) }
        return errors
    }

    /// `ValidatePortNumOrName`.
    static func portNumOrName(_ port: IntOrString, path: FieldPath) -> [FieldError] {
        switch port {
        case .int(let number):
            return Validation.isValidPortNum(Int(number)).map { FieldError.invalid(path, number, $0) }
        case .string(let name):
            return Validation.isValidPortName(name).map { FieldError.invalid(path, name, $0) }
        }
    }

    // MARK: Resources

    static let standardContainerResources: Set<String> = ["cpu", "memory", "ephemeral-storage"]
    static let standardResources: Set<String> = [
        "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "persistentvolumeclaims", "configmaps", "services.nodeports",
        "services.loadbalancers", "requests.storage",
    ]
    static let integerResources: Set<String> = [
        "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
        "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
    ]

    static func isHugePages(_ name: String) -> Bool { name.hasPrefix("hugepages-") }
    static func isNativeResource(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }
    static func isExtendedResource(_ name: String) -> Bool {
        if Self.isNativeResource(name) || name.hasPrefix("requests.") { return false }
        return Validation.isQualifiedName("requests." + name).isEmpty
    }
    static func isOvercommitAllowed(_ name: String) -> Bool { Self.isNativeResource(name) && !Self.isHugePages(name) }
    static func isIntegerResource(_ name: String) -> Bool {
        Self.integerResources.contains(name) || Self.isExtendedResource(name)
    }

    /// `validateResourceName`: a qualified name, standard unless it has a domain.
    static func resourceName(_ name: String, path: FieldPath) -> [FieldError] {
        let errors: [FieldError] = Validation.isQualifiedName(name).map { FieldError.invalid(path, name, $0) }
        if !errors.isEmpty { return errors }
        if !name.contains("/") && !Self.standardResources.contains(name) && !Self.isHugePages(name) {
            return [.invalid(path, name, "must be a standard resource type or fully qualified")]
        }
        return []
    }

    /// `validateContainerResourceName`.
    static func containerResourceName(_ name: String, path: FieldPath) -> [FieldError] {
        var errors = Self.resourceName(name, path: path)
        if !name.contains("/") {
            if !Self.standardContainerResources.contains(name) && !Self.isHugePages(name) {
                errors.append(.invalid(path, name, "must be a standard resource for containers"))
            }
        } else if !Self.isNativeResource(name) && !Self.isExtendedResource(name) {
            errors.append(.invalid(path, name, "doesn't follow extended resource name standard"))
        }
        return errors
    }

    /// `ValidateResourceQuantityValue`: not negative, whole for integer resources.
    static func quantityValue(_ name: String, _ quantity: Quantity, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if quantity.sign < 0 {
            errors.append(.invalid(path, quantity.string, CommonValidation.negativeMessage))
        }
        if Self.isIntegerResource(name), quantity.milliValue % 1000 != 0 {
            errors.append(.invalid(path, quantity.string, "must be an integer"))
        }
        return errors
    }

    /// `ValidateContainerResourceRequirements`: valid names and quantities; requests within limits (equal for
    /// resources that cannot be overcommitted); huge pages need cpu or memory.
    static func resourceRequirements(_ requirements: CoreV1.ResourceRequirements?, path: FieldPath) -> [FieldError] {
        guard let requirements else { return [] }
        var errors: [FieldError] = []
        let limitsPath = path.child("limits")
        let requestsPath = path.child("requests")
        let limits = requirements.limits ?? [:]
        var hasCPUOrMemory = false
        var hasHugePages = false
        for name in limits.keys.sorted() {
            let quantity = limits[name]!
            let entryPath = limitsPath.key(name)
            errors += Self.containerResourceName(name, path: entryPath)
            errors += Self.quantityValue(name, quantity, path: entryPath)
            if Self.isHugePages(name) { hasHugePages = true }
            if name == "cpu" || name == "memory" { hasCPUOrMemory = true }
        }
        let requests = requirements.requests ?? [:]
        for name in requests.keys.sorted() {
            let quantity = requests[name]!
            let entryPath = requestsPath.key(name)
            errors += Self.containerResourceName(name, path: entryPath)
            errors += Self.quantityValue(name, quantity, path: entryPath)
            if let limit = limits[name] {
                if quantity != limit && !Self.isOvercommitAllowed(name) {
                    errors.append(
                        .invalid(requestsPath, quantity.string, "must be equal to \(name) limit of \(limit.string)")
                    )
                } else if quantity > limit {
                    errors.append(
                        .invalid(
                            requestsPath,
                            quantity.string,
                            "must be less than or equal to \(name) limit of \(limit.string)"
                        )
                    )
                }
            } else if !Self.isOvercommitAllowed(name) {
                errors.append(.required(limitsPath, "Limit must be set for non overcommitable resources"))
            }
            if Self.isHugePages(name) { hasHugePages = true }
            if name == "cpu" || name == "memory" { hasCPUOrMemory = true }
        }
        if hasHugePages && !hasCPUOrMemory {
            errors.append(.forbidden(path, "HugePages require cpu or memory"))
        }
        return errors
    }

    // MARK: Security

    private static func securityContext(_ context: CoreV1.SecurityContext?, path: FieldPath) -> [FieldError] {
        guard let context else { return [] }
        var errors: [FieldError] = []
        if let user = context.runAsUser {
            errors += Validation.isValidUserID(user).map { FieldError.invalid(path.child("runAsUser"), user, $0) }
        }
        if let group = context.runAsGroup {
            errors += Validation.isValidGroupID(group).map { FieldError.invalid(path.child("runAsGroup"), group, $0) }
        }
        if context.privileged == true, context.allowPrivilegeEscalation == false {
            errors.append(
                .invalid(path, .formatted("\"\""), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true")
            )
        }
        if let procMount = context.procMount, procMount != "Default", procMount != "Unmasked" {
            errors.append(.notSupported(path.child("procMount"), procMount, ["Default", "Unmasked"]))
        }
        return errors
    }

    private static func podSecurityContext(_ context: CoreV1.PodSecurityContext?, path: FieldPath) -> [FieldError] {
        guard let context else { return [] }
        var errors: [FieldError] = []
        if let user = context.runAsUser {
            errors += Validation.isValidUserID(user).map { FieldError.invalid(path.child("runAsUser"), user, $0) }
        }
        if let group = context.runAsGroup {
            errors += Validation.isValidGroupID(group).map { FieldError.invalid(path.child("runAsGroup"), group, $0) }
        }
        if let fsGroup = context.fsGroup {
            errors += Validation.isValidGroupID(fsGroup).map { FieldError.invalid(path.child("fsGroup"), fsGroup, $0) }
        }
        for (index, group) in (context.supplementalGroups ?? []).enumerated() {
            errors += Validation.isValidGroupID(group).map {
                .invalid(path.child("supplementalGroups").index(index), group, $0)
            }
        }
        if let policy = context.fsGroupChangePolicy, policy != "OnRootMismatch", policy != "Always" {
            errors.append(.notSupported(path.child("fsGroupChangePolicy"), policy, ["Always", "OnRootMismatch"]))
        }
        return errors
    }

    // MARK: Policies

    private static func restartPolicy(_ policy: String?, path: FieldPath) -> [FieldError] {
        let policy = policy ?? ""
        if Self.restartPolicies.contains(policy) { return [] }
        if policy.isEmpty { return [.required(path, "")] }
        return [.notSupported(path, policy, Self.restartPolicies)]
    }

    private static func dnsPolicy(_ policy: String?, path: FieldPath) -> [FieldError] {
        let policy = policy ?? ""
        if Self.dnsPolicies.contains(policy) { return [] }
        if policy.isEmpty { return [.required(path, "")] }
        return [.notSupported(path, policy, Self.dnsPolicies)]
    }

    /// `validatePodDNSConfig`: `None` needs at least one nameserver; at most 3 nameservers, 32 searches.
    private static func dnsConfig(_ config: CoreV1.PodDNSConfig?, policy: String?, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if policy == "None" {
            if config == nil {
                errors.append(.required(path, "must provide `dnsConfig` when `dnsPolicy` is None"))
            } else if (config?.nameservers ?? []).isEmpty {
                errors.append(.required(path.child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"))
            }
        }
        guard let config else { return errors }
        let nameservers = config.nameservers ?? []
        if nameservers.count > 3 {
            errors.append(
                .invalid(
                    path.child("nameservers"),
                    .formatted(GoSyntax.stringSlice(nameservers)),
                    "must not have more than 3 nameservers"
                )
            )
        }
        for (index, nameserver) in nameservers.enumerated() where !Validation.isIPAddress(nameserver) {
            errors.append(.invalid(path.child("nameservers").index(index), nameserver, Validation.invalidIPMessage))
        }
        let searches = config.searches ?? []
        if searches.count > 32 {
            errors.append(
                .invalid(path.child("searches"), .formatted(GoSyntax.stringSlice(searches)), "must not have more than 32 search paths")
            )
        }
        for (index, search) in searches.enumerated() where search != "." {
            errors += CommonValidation.dns1123Subdomain(
                search.hasSuffix(".") ? String(search.dropLast()) : search,
                path: path.child("searches").index(index)
            )
        }
        return errors
    }

    /// `ValidateTolerations`.
    static func tolerations(_ tolerations: [CoreV1.Toleration], path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, toleration) in tolerations.enumerated() {
            let tolerationPath = path.index(index)
            let key = toleration.key ?? ""
            let op = toleration.operator ?? ""
            let value = toleration.value ?? ""
            let effect = toleration.effect ?? ""
            if !key.isEmpty {
                errors += CommonValidation.qualifiedName(key, path: tolerationPath.child("key"))
            }
            if key.isEmpty && op != "Exists" {
                errors.append(
                    .invalid(
                        tolerationPath.child("operator"),
                        op,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""
                    )
                )
            }
            if toleration.tolerationSeconds != nil && effect != "NoExecute" {
                errors.append(
                    .invalid(tolerationPath.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set")
                )
            }
            switch op {
            case "Equal", "":
                let problems = Validation.isValidLabelValue(value)
                if !problems.isEmpty {
                    errors.append(.invalid(tolerationPath.child("operator"), value, problems.joined(separator: ";")))
                }
            case "Exists":
                if !value.isEmpty {
                    errors.append(
                        .invalid(
                            tolerationPath.child("operator"),
                            .formatted(Self.goToleration(toleration)),
                            "value must be empty when `operator` is 'Exists'"
                        )
                    )
                }
            default:
                errors.append(.notSupported(tolerationPath.child("operator"), op, ["Equal", "Exists"]))
            }
            if !effect.isEmpty, !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) {
                errors.append(
                    .notSupported(tolerationPath.child("effect"), effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"])
                )
            }
        }
        return errors
    }

    private static func goToleration(_ toleration: CoreV1.Toleration) -> String {
        let seconds = toleration.tolerationSeconds.map { "(*int64)(\($0))" } ?? "(*int64)(nil)"
        return "core.Toleration{Key:\(GoSyntax.quoted(toleration.key ?? "")), "
            + "Operator:\(GoSyntax.quoted(toleration.operator ?? "")), Value:\(GoSyntax.quoted(toleration.value ?? "")), "
            + "Effect:\(GoSyntax.quoted(toleration.effect ?? "")), TolerationSeconds:\(seconds)}"
    }

    private static func topologySpreadConstraints(_ constraints: [CoreV1.TopologySpreadConstraint], path: FieldPath)
        -> [FieldError]
    {
        var errors: [FieldError] = []
        var seen = Set<String>()
        for (index, constraint) in constraints.enumerated() {
            let constraintPath = path.index(index)
            if constraint.maxSkew <= 0 {
                errors.append(.invalid(constraintPath.child("maxSkew"), constraint.maxSkew, "must be greater than zero"))
            }
            if constraint.topologyKey.isEmpty {
                errors.append(.required(constraintPath.child("topologyKey"), "can not be empty"))
            } else {
                errors += CommonValidation.qualifiedName(constraint.topologyKey, path: constraintPath.child("topologyKey"))
            }
            let actions = ["DoNotSchedule", "ScheduleAnyway"]
            if !actions.contains(constraint.whenUnsatisfiable) {
                errors.append(.notSupported(constraintPath.child("whenUnsatisfiable"), constraint.whenUnsatisfiable, actions))
            }
            let pair = constraint.topologyKey + "\u{0}" + constraint.whenUnsatisfiable
            if !seen.insert(pair).inserted {
                errors.append(
                    .duplicate(constraintPath, .formatted("{\(constraint.topologyKey), \(constraint.whenUnsatisfiable)}"))
                )
            }
            errors += CommonValidation.labelSelector(constraint.labelSelector, path: constraintPath.child("labelSelector"))
        }
        return errors
    }

    static func trimmed(_ value: String) -> String {
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" }
        guard let first = value.firstIndex(where: { !isSpace($0) }), let last = value.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(value[first...last])
    }
}
