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
/// Covers Pod and pod templates, Service, Secret, Namespace, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job
/// and CronJob; the remaining kinds and the finer points (probes, ephemeral containers, volumes) follow with
/// issue #4.
enum Defaults {
    static func apply(_ object: inout any APIObject) {
        switch object {
        case var pod as CoreV1.Pod:
            if var spec = pod.spec {
                Self.podSpec(&spec)
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
        if spec.backoffLimit == nil { spec.backoffLimit = 6 }
        if (spec.completionMode ?? "").isEmpty { spec.completionMode = "NonIndexed" }
        if spec.suspend == nil { spec.suspend = false }
        if (spec.podReplacementPolicy ?? "").isEmpty { spec.podReplacementPolicy = "TerminatingOrFailed" }
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
        if spec.type == "NodePort" || spec.type == "LoadBalancer" {
            if (spec.externalTrafficPolicy ?? "").isEmpty { spec.externalTrafficPolicy = "Cluster" }
        }
        if spec.type == "LoadBalancer", spec.allocateLoadBalancerNodePorts == nil {
            spec.allocateLoadBalancerNodePorts = true
        }
        if var ports = spec.ports {
            for index in ports.indices {
                if (ports[index].protocol ?? "").isEmpty { ports[index].protocol = "TCP" }
                if ports[index].targetPort == nil { ports[index].targetPort = .int(ports[index].port) }
            }
            spec.ports = ports
        }
    }
}
