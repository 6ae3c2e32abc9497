#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

/// Upstream's defaulting of the most used kinds, applied to every decoded create and update
/// (↔ `pkg/apis/core/v1/defaults.go`, `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`).
///
/// Covers Pod and pod templates (containers, probes, volumes, requests from limits), Service, Endpoints,
/// EndpointSlice, Secret, Namespace, Node, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet,
/// Job, CronJob, PersistentVolume and claims, LimitRange, PriorityClass, RBAC bindings and
/// HorizontalPodAutoscaler.
enum Defaults {
    static func apply(_ object: inout any APIObject) {
        switch object {
        case var pod as CoreV1.Pod:
            if var spec = pod.spec {
                Self.podSpec(&spec)
                Self.podOnly(&spec)
                pod.spec = spec
            }
            object = pod
        case var template as CoreV1.PodTemplate:
            if var spec = template.template?.spec {
                Self.podSpec(&spec)
                template.template?.spec = spec
            }
            object = template
        case var service as CoreV1.Service:
            var spec = service.spec ?? CoreV1.ServiceSpec()
            Self.serviceSpec(&spec)
            service.spec = spec
            object = service
        case var secret as CoreV1.Secret:
            if (secret.type ?? "").isEmpty { secret.type = "Opaque" }
            if let stringData = secret.stringData, !stringData.isEmpty {
                var data = secret.data ?? [:]
                for (key, value) in stringData { data[key] = Data(value.utf8).base64EncodedString() }
                secret.data = data
            }
            secret.stringData = nil
            object = secret
        case var controller as CoreV1.ReplicationController:
            var spec = controller.spec ?? CoreV1.ReplicationControllerSpec()
            let labels = spec.template?.metadata.labels ?? [:]
            if !labels.isEmpty {
                if (spec.selector ?? [:]).isEmpty { spec.selector = labels }
                if (controller.metadata.labels ?? [:]).isEmpty { controller.metadata.labels = labels }
            }
            if spec.replicas == nil { spec.replicas = 1 }
            if var template = spec.template {
                Self.template(&template)
                spec.template = template
            }
            controller.spec = spec
            object = controller
        case var endpoints as CoreV1.Endpoints:
            if var subsets = endpoints.subsets {
                for index in subsets.indices {
                    if var ports = subsets[index].ports {
                        for portIndex in ports.indices where (ports[portIndex].protocol ?? "").isEmpty {
                            ports[portIndex].protocol = "TCP"
                        }
                        subsets[index].ports = ports
                    }
                }
                endpoints.subsets = subsets
            }
            object = endpoints
        case var slice as DiscoveryV1.EndpointSlice:
            if var ports = slice.ports {
                for index in ports.indices {
                    if ports[index].name == nil { ports[index].name = "" }
                    if ports[index].protocol == nil { ports[index].protocol = "TCP" }
                }
                slice.ports = ports
            }
            object = slice
        case var node as CoreV1.Node:
            if var status = node.status, status.allocatable == nil, let capacity = status.capacity {
                status.allocatable = capacity
                node.status = status
            }
            object = node
        case var volume as CoreV1.PersistentVolume:
            var spec = volume.spec ?? CoreV1.PersistentVolumeSpec()
            if (spec.persistentVolumeReclaimPolicy ?? "").isEmpty { spec.persistentVolumeReclaimPolicy = "Retain" }
            if spec.volumeMode == nil { spec.volumeMode = "Filesystem" }
            if var hostPath = spec.hostPath, hostPath.type == nil {
                hostPath.type = ""
                spec.hostPath = hostPath
            }
            volume.spec = spec
            var status = volume.status ?? CoreV1.PersistentVolumeStatus()
            if (status.phase ?? "").isEmpty { status.phase = "Pending" }
            volume.status = status
            object = volume
        case var claim as CoreV1.PersistentVolumeClaim:
            Self.claim(&claim)
            object = claim
        case var limitRange as CoreV1.LimitRange:
            if var spec = limitRange.spec {
                for index in spec.limits.indices where spec.limits[index].type == "Container" {
                    Self.containerLimits(&spec.limits[index])
                }
                limitRange.spec = spec
            }
            object = limitRange
        case var priorityClass as SchedulingV1.PriorityClass:
            if priorityClass.preemptionPolicy == nil { priorityClass.preemptionPolicy = "PreemptLowerPriority" }
            object = priorityClass
        case var binding as RBACV1.RoleBinding:
            binding.subjects = binding.subjects.map(Self.subjects)
            object = binding
        case var binding as RBACV1.ClusterRoleBinding:
            binding.subjects = binding.subjects.map(Self.subjects)
            object = binding
        case var autoscaler as AutoscalingV2.HorizontalPodAutoscaler:
            Self.autoscaler(&autoscaler.spec)
            object = autoscaler
        case var autoscaler as AutoscalingV1.HorizontalPodAutoscaler:
            // v1's only default; the 80% CPU target comes with the conversion to v2 (``AutoscalerConversion``).
            if autoscaler.spec.minReplicas == nil { autoscaler.spec.minReplicas = 1 }
            object = autoscaler
        case var namespace as CoreV1.Namespace:
            var labels = namespace.metadata.labels ?? [:]
            labels["kubernetes.io/metadata.name"] = namespace.metadata.name
            namespace.metadata.labels = labels
            object = namespace
        case var deployment as AppsV1.Deployment:
            var spec = deployment.spec ?? AppsV1.DeploymentSpec()
            if spec.replicas == nil { spec.replicas = 1 }
            var strategy = spec.strategy ?? AppsV1.DeploymentStrategy()
            if (strategy.type ?? "").isEmpty { strategy.type = "RollingUpdate" }
            if strategy.type == "RollingUpdate" {
                var rolling = strategy.rollingUpdate ?? AppsV1.RollingUpdateDeployment()
                if rolling.maxUnavailable == nil { rolling.maxUnavailable = .string("25%") }
                if rolling.maxSurge == nil { rolling.maxSurge = .string("25%") }
                strategy.rollingUpdate = rolling
            }
            spec.strategy = strategy
            if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
            if spec.progressDeadlineSeconds == nil { spec.progressDeadlineSeconds = 600 }
            Self.template(&spec.template)
            deployment.spec = spec
            object = deployment
        case var replicaSet as AppsV1.ReplicaSet:
            var spec = replicaSet.spec ?? AppsV1.ReplicaSetSpec()
            if spec.replicas == nil { spec.replicas = 1 }
            if var template = spec.template {
                Self.template(&template)
                spec.template = template
            }
            replicaSet.spec = spec
            object = replicaSet
        case var statefulSet as AppsV1.StatefulSet:
            var spec = statefulSet.spec ?? AppsV1.StatefulSetSpec()
            if spec.replicas == nil { spec.replicas = 1 }
            if (spec.podManagementPolicy ?? "").isEmpty { spec.podManagementPolicy = "OrderedReady" }
            var strategy = spec.updateStrategy ?? AppsV1.StatefulSetUpdateStrategy()
            if (strategy.type ?? "").isEmpty { strategy.type = "RollingUpdate" }
            if strategy.type == "RollingUpdate" {
                var rolling = strategy.rollingUpdate ?? AppsV1.RollingUpdateStatefulSetStrategy()
                if rolling.partition == nil { rolling.partition = 0 }
                strategy.rollingUpdate = rolling
            }
            spec.updateStrategy = strategy
            if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
            if spec.persistentVolumeClaimRetentionPolicy == nil {
                spec.persistentVolumeClaimRetentionPolicy = AppsV1.StatefulSetPersistentVolumeClaimRetentionPolicy(
                    whenDeleted: "Retain",
                    whenScaled: "Retain"
                )
            }
            Self.template(&spec.template)
            if var claims = spec.volumeClaimTemplates {
                for index in claims.indices { Self.claim(&claims[index]) }
                spec.volumeClaimTemplates = claims
            }
            statefulSet.spec = spec
            object = statefulSet
        case var daemonSet as AppsV1.DaemonSet:
            var spec = daemonSet.spec ?? AppsV1.DaemonSetSpec()
            var strategy = spec.updateStrategy ?? AppsV1.DaemonSetUpdateStrategy()
            if (strategy.type ?? "").isEmpty { strategy.type = "RollingUpdate" }
            if strategy.type == "RollingUpdate" {
                var rolling = strategy.rollingUpdate ?? AppsV1.RollingUpdateDaemonSet()
                if rolling.maxUnavailable == nil { rolling.maxUnavailable = .int(1) }
                if rolling.maxSurge == nil { rolling.maxSurge = .int(0) }
                strategy.rollingUpdate = rolling
            }
            spec.updateStrategy = strategy
            if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
            Self.template(&spec.template)
            daemonSet.spec = spec
            object = daemonSet
        case var job as BatchV1.Job:
            if var spec = job.spec {
                Self.jobSpec(&spec)
                if let labels = spec.template.metadata.labels, (job.metadata.labels ?? [:]).isEmpty {
                    job.metadata.labels = labels
                }
                job.spec = spec
            }
            object = job
        case var cronJob as BatchV1.CronJob:
            do {
                var spec = cronJob.spec
                if (spec.concurrencyPolicy ?? "").isEmpty { spec.concurrencyPolicy = "Allow" }
                if spec.suspend == nil { spec.suspend = false }
                if spec.successfulJobsHistoryLimit == nil { spec.successfulJobsHistoryLimit = 3 }
                if spec.failedJobsHistoryLimit == nil { spec.failedJobsHistoryLimit = 1 }
                if var jobSpec = spec.jobTemplate.spec {
                    Self.jobSpec(&jobSpec)
                    spec.jobTemplate.spec = jobSpec
                }
                cronJob.spec = spec
            }
            object = cronJob
        default:
            break
        }
    }

    private static func jobSpec(_ spec: inout BatchV1.JobSpec) {
        if spec.completions == nil && spec.parallelism == nil {
            spec.completions = 1
            spec.parallelism = 1
        }
        if spec.parallelism == nil { spec.parallelism = 1 }
        if spec.backoffLimit == nil { spec.backoffLimit = spec.backoffLimitPerIndex == nil ? 6 : Int32.max }
        if (spec.completionMode ?? "").isEmpty { spec.completionMode = "NonIndexed" }
        if spec.suspend == nil { spec.suspend = false }
        if (spec.podReplacementPolicy ?? "").isEmpty {
            spec.podReplacementPolicy = spec.podFailurePolicy == nil ? "TerminatingOrFailed" : "Failed"
        }
        Self.template(&spec.template)
    }

    private static func template(_ template: inout CoreV1.PodTemplateSpec) {
        if var spec = template.spec {
            Self.podSpec(&spec)
            template.spec = spec
        }
    }

    /// `SetDefaults_PodSpec` and the container defaults.
    static func podSpec(_ spec: inout CoreV1.PodSpec) {
        if (spec.restartPolicy ?? "").isEmpty { spec.restartPolicy = "Always" }
        if (spec.dnsPolicy ?? "").isEmpty { spec.dnsPolicy = "ClusterFirst" }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if spec.securityContext == nil { spec.securityContext = CoreV1.PodSecurityContext() }
        if (spec.schedulerName ?? "").isEmpty { spec.schedulerName = "default-scheduler" }
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        if spec.priority == nil && spec.priorityClassName == nil { spec.priority = 0 }
        if (spec.preemptionPolicy ?? "").isEmpty { spec.preemptionPolicy = "PreemptLowerPriority" }
        if let account = spec.serviceAccountName, !account.isEmpty, (spec.serviceAccount ?? "").isEmpty {
            spec.serviceAccount = account
        }
        for index in spec.containers.indices { Self.container(&spec.containers[index]) }
        if var volumes = spec.volumes {
            for index in volumes.indices { Self.volume(&volumes[index]) }
            spec.volumes = volumes
        }
        if var ephemeral = spec.ephemeralContainers {
            for index in ephemeral.indices { Self.ephemeralContainer(&ephemeral[index]) }
            spec.ephemeralContainers = ephemeral
        }
        if var initContainers = spec.initContainers {
            for index in initContainers.indices { Self.container(&initContainers[index]) }
            spec.initContainers = initContainers
        }
        if var tolerations = spec.tolerations {
            for index in tolerations.indices where (tolerations[index].operator ?? "").isEmpty {
                tolerations[index].operator = "Equal"
            }
            spec.tolerations = tolerations
        }
    }

    private static func container(_ container: inout CoreV1.Container) {
        if (container.terminationMessagePath ?? "").isEmpty { container.terminationMessagePath = "/dev/termination-log" }
        if (container.terminationMessagePolicy ?? "").isEmpty { container.terminationMessagePolicy = "File" }
        if (container.imagePullPolicy ?? "").isEmpty {
            container.imagePullPolicy = Self.imageTag(container.image ?? "") == "latest" ? "Always" : "IfNotPresent"
        }
        if container.resources == nil { container.resources = CoreV1.ResourceRequirements() }
        if var ports = container.ports {
            for index in ports.indices where (ports[index].protocol ?? "").isEmpty { ports[index].protocol = "TCP" }
            container.ports = ports
        }
        container.livenessProbe = container.livenessProbe.map(Self.probe)
        container.readinessProbe = container.readinessProbe.map(Self.probe)
        container.startupProbe = container.startupProbe.map(Self.probe)
        if var lifecycle = container.lifecycle {
            if let action = lifecycle.postStart?.httpGet { lifecycle.postStart?.httpGet = Self.httpGet(action) }
            if let action = lifecycle.preStop?.httpGet { lifecycle.preStop?.httpGet = Self.httpGet(action) }
            container.lifecycle = lifecycle
        }
        container.env = container.env.map(Self.env)
    }

    private static func ephemeralContainer(_ container: inout CoreV1.EphemeralContainer) {
        if (container.terminationMessagePath ?? "").isEmpty { container.terminationMessagePath = "/dev/termination-log" }
        if (container.terminationMessagePolicy ?? "").isEmpty { container.terminationMessagePolicy = "File" }
        if (container.imagePullPolicy ?? "").isEmpty {
            container.imagePullPolicy = Self.imageTag(container.image ?? "") == "latest" ? "Always" : "IfNotPresent"
        }
        if var ports = container.ports {
            for index in ports.indices where (ports[index].protocol ?? "").isEmpty { ports[index].protocol = "TCP" }
            container.ports = ports
        }
        container.env = container.env.map(Self.env)
    }

    /// `SetDefaults_ObjectFieldSelector`: a downward-API field reference reads `v1` by default.
    private static func env(_ variables: [CoreV1.EnvVar]) -> [CoreV1.EnvVar] {
        var variables = variables
        for index in variables.indices where variables[index].valueFrom?.fieldRef != nil {
            if (variables[index].valueFrom?.fieldRef?.apiVersion ?? "").isEmpty {
                variables[index].valueFrom?.fieldRef?.apiVersion = "v1"
            }
        }
        return variables
    }

    /// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction`.
    private static func probe(_ probe: CoreV1.Probe) -> CoreV1.Probe {
        var probe = probe
        if probe.timeoutSeconds == nil { probe.timeoutSeconds = 1 }
        if probe.periodSeconds == nil { probe.periodSeconds = 10 }
        if probe.successThreshold == nil { probe.successThreshold = 1 }
        if probe.failureThreshold == nil { probe.failureThreshold = 3 }
        probe.httpGet = probe.httpGet.map(Self.httpGet)
        return probe
    }

    private static func httpGet(_ action: CoreV1.HTTPGetAction) -> CoreV1.HTTPGetAction {
        var action = action
        if (action.path ?? "").isEmpty { action.path = "/" }
        if (action.scheme ?? "").isEmpty { action.scheme = "HTTP" }
        return action
    }

    /// `SetDefaults_Volume` and the per-source defaults: no source means an `emptyDir`; file-projecting sources
    /// get mode 0644.
    private static func volume(_ volume: inout CoreV1.Volume) {
        let hasSource =
            volume.hostPath != nil || volume.emptyDir != nil || volume.gcePersistentDisk != nil
            || volume.awsElasticBlockStore != nil || volume.gitRepo != nil || volume.secret != nil || volume.nfs != nil
            || volume.iscsi != nil || volume.glusterfs != nil || volume.persistentVolumeClaim != nil
            || volume.rbd != nil || volume.flexVolume != nil || volume.cinder != nil || volume.cephfs != nil
            || volume.flocker != nil || volume.downwardAPI != nil || volume.fc != nil || volume.azureFile != nil
            || volume.configMap != nil || volume.vsphereVolume != nil || volume.quobyte != nil
            || volume.azureDisk != nil || volume.photonPersistentDisk != nil || volume.projected != nil
            || volume.portworxVolume != nil || volume.scaleIO != nil || volume.storageos != nil || volume.csi != nil
            || volume.ephemeral != nil || volume.image != nil
        if !hasSource { volume.emptyDir = CoreV1.EmptyDirVolumeSource() }
        if volume.secret != nil, volume.secret?.defaultMode == nil { volume.secret?.defaultMode = 0o644 }
        if volume.configMap != nil, volume.configMap?.defaultMode == nil { volume.configMap?.defaultMode = 0o644 }
        if volume.downwardAPI != nil, volume.downwardAPI?.defaultMode == nil { volume.downwardAPI?.defaultMode = 0o644 }
        if volume.hostPath != nil, volume.hostPath?.type == nil { volume.hostPath?.type = "" }
        if var projected = volume.projected {
            if projected.defaultMode == nil { projected.defaultMode = 0o644 }
            if var sources = projected.sources {
                for index in sources.indices where sources[index].serviceAccountToken != nil {
                    if sources[index].serviceAccountToken?.expirationSeconds == nil {
                        sources[index].serviceAccountToken?.expirationSeconds = 3600
                    }
                }
                projected.sources = sources
            }
            volume.projected = projected
        }
    }

    /// The defaults only a Pod gets, not a template (`SetDefaults_Pod`): requests default to limits, and with
    /// the host network a port's host port defaults to its container port.
    private static func podOnly(_ spec: inout CoreV1.PodSpec) {
        func requestsFromLimits(_ container: inout CoreV1.Container) {
            guard let limits = container.resources?.limits else { return }
            var requests = container.resources?.requests ?? [:]
            for (name, value) in limits where requests[name] == nil { requests[name] = value }
            container.resources?.requests = requests
        }
        func hostPorts(_ container: inout CoreV1.Container) {
            guard var ports = container.ports else { return }
            for index in ports.indices where ports[index].hostPort == nil || ports[index].hostPort == 0 {
                ports[index].hostPort = ports[index].containerPort
            }
            container.ports = ports
        }
        for index in spec.containers.indices {
            requestsFromLimits(&spec.containers[index])
            if spec.hostNetwork == true { hostPorts(&spec.containers[index]) }
        }
        if var initContainers = spec.initContainers {
            for index in initContainers.indices {
                requestsFromLimits(&initContainers[index])
                if spec.hostNetwork == true { hostPorts(&initContainers[index]) }
            }
            spec.initContainers = initContainers
        }
    }

    /// The pod's quality-of-service class, as upstream's `ComputePodQOS`: `BestEffort` without cpu or memory
    /// requests and limits, `Guaranteed` when every container limits both and requests equal limits, else
    /// `Burstable`.
    static func qosClass(of pod: CoreV1.Pod) -> String {
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        var guaranteed = true
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        for container in containers {
            for (name, quantity) in container.resources?.requests ?? [:] where (name == "cpu" || name == "memory") && quantity.sign > 0 {
                requests[name, default: Quantity()] += quantity
            }
            var found = Set<String>()
            for (name, quantity) in container.resources?.limits ?? [:] where (name == "cpu" || name == "memory") && quantity.sign > 0 {
                found.insert(name)
                limits[name, default: Quantity()] += quantity
            }
            if !(found.contains("cpu") && found.contains("memory")) { guaranteed = false }
        }
        if requests.isEmpty && limits.isEmpty { return "BestEffort" }
        if guaranteed {
            for (name, request) in requests where limits[name] != request {
                guaranteed = false
                break
            }
        }
        return guaranteed && requests.count == limits.count ? "Guaranteed" : "Burstable"
    }

    /// `SetDefaults_PersistentVolumeClaim` and its spec: `Filesystem` mode, `Pending` phase.
    private static func claim(_ claim: inout CoreV1.PersistentVolumeClaim) {
        var spec = claim.spec ?? CoreV1.PersistentVolumeClaimSpec()
        if spec.volumeMode == nil { spec.volumeMode = "Filesystem" }
        claim.spec = spec
        var status = claim.status ?? CoreV1.PersistentVolumeClaimStatus()
        if (status.phase ?? "").isEmpty { status.phase = "Pending" }
        claim.status = status
    }

    /// `SetDefaults_LimitRangeItem` for containers: default limits from max, default requests from the default
    /// limits, then from min.
    private static func containerLimits(_ item: inout CoreV1.LimitRangeItem) {
        var defaults = item.default ?? [:]
        var requests = item.defaultRequest ?? [:]
        for (name, value) in item.max ?? [:] where defaults[name] == nil { defaults[name] = value }
        for (name, value) in defaults where requests[name] == nil { requests[name] = value }
        for (name, value) in item.min ?? [:] where requests[name] == nil { requests[name] = value }
        item.default = defaults
        item.defaultRequest = requests
    }

    /// `SetDefaults_Subject`: users and groups belong to the RBAC API group, service accounts to none.
    private static func subjects(_ subjects: [RBACV1.Subject]) -> [RBACV1.Subject] {
        subjects.map { subject in
            var subject = subject
            if (subject.apiGroup ?? "").isEmpty {
                switch subject.kind {
                case "User", "Group": subject.apiGroup = "rbac.authorization.k8s.io"
                case "ServiceAccount": subject.apiGroup = ""
                default: break
                }
            }
            return subject
        }
    }

    /// `SetDefaults_HorizontalPodAutoscaler` (autoscaling/v2): one minimum replica, 80% CPU utilization when no
    /// metric is given, and the scaling rules' defaults for a given behavior.
    private static func autoscaler(_ spec: inout AutoscalingV2.HorizontalPodAutoscalerSpec) {
        if spec.minReplicas == nil { spec.minReplicas = 1 }
        if (spec.metrics ?? []).isEmpty {
            spec.metrics = [
                AutoscalingV2.MetricSpec(
                    type: "Resource",
                    resource: AutoscalingV2.ResourceMetricSource(
                        name: "cpu",
                        target: AutoscalingV2.MetricTarget(type: "Utilization", averageUtilization: 80)
                    )
                )
            ]
        }
        guard var behavior = spec.behavior else { return }
        var up = behavior.scaleUp ?? AutoscalingV2.HPAScalingRules()
        if up.stabilizationWindowSeconds == nil { up.stabilizationWindowSeconds = 0 }
        if up.selectPolicy == nil { up.selectPolicy = "Max" }
        if up.policies == nil {
            up.policies = [
                AutoscalingV2.HPAScalingPolicy(type: "Pods", value: 4, periodSeconds: 15),
                AutoscalingV2.HPAScalingPolicy(type: "Percent", value: 100, periodSeconds: 15),
            ]
        }
        var down = behavior.scaleDown ?? AutoscalingV2.HPAScalingRules()
        if down.selectPolicy == nil { down.selectPolicy = "Max" }
        if down.policies == nil {
            down.policies = [AutoscalingV2.HPAScalingPolicy(type: "Percent", value: 100, periodSeconds: 15)]
        }
        behavior.scaleUp = up
        behavior.scaleDown = down
        spec.behavior = behavior
    }

    /// The image's tag, `latest` when it has neither tag nor digest (upstream's pull-policy rule).
    static func imageTag(_ image: String) -> String {
        if image.contains("@") { return "" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "latest" }
        return String(lastComponent[lastComponent.index(after: colon)...])
    }

    /// `SetDefaults_Service` (the cluster IP itself is allocated by the registry).
    static func serviceSpec(_ spec: inout CoreV1.ServiceSpec) {
        if (spec.type ?? "").isEmpty { spec.type = "ClusterIP" }
        if (spec.sessionAffinity ?? "").isEmpty { spec.sessionAffinity = "None" }
        if spec.type != "ExternalName" {
            if (spec.internalTrafficPolicy ?? "").isEmpty { spec.internalTrafficPolicy = "Cluster" }
        }
        if spec.type == "NodePort" || spec.type == "LoadBalancer"
            || (spec.type == "ClusterIP" && !(spec.externalIPs ?? []).isEmpty)
        {
            if (spec.externalTrafficPolicy ?? "").isEmpty { spec.externalTrafficPolicy = "Cluster" }
        }
        // The strategy's `normalizeClusterIPs`: `clusterIP` and `clusterIPs[0]` say the same.
        if spec.type != "ExternalName" {
            if let clusterIP = spec.clusterIP, !clusterIP.isEmpty, (spec.clusterIPs ?? []).isEmpty {
                spec.clusterIPs = [clusterIP]
            } else if (spec.clusterIP ?? "").isEmpty, let first = spec.clusterIPs?.first {
                spec.clusterIP = first
            }
        }
        if spec.type == "LoadBalancer", spec.allocateLoadBalancerNodePorts == nil {
            spec.allocateLoadBalancerNodePorts = true
        }
        if var ports = spec.ports {
            for index in ports.indices {
                if (ports[index].protocol ?? "").isEmpty { ports[index].protocol = "TCP" }
                if ports[index].targetPort == nil || ports[index].targetPort == .int(0)
                    || ports[index].targetPort == .string("")
                {
                    ports[index].targetPort = .int(ports[index].port)
                }
            }
            spec.ports = ports
        }
    }
}
