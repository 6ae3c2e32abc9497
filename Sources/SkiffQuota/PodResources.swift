public import SkiffAPI
public import SkiffAPIMachinery

/// Pod resource arithmetic shared by LimitRanger and quota (↔ component-helpers' `resource` package).
public enum PodResources {
    /// A pod's effective requests and limits: the containers' sum, at least each init container's, plus overhead
    /// (upstream's `resourcehelper.PodRequests`/`PodLimits`, without sidecar arithmetic).
    public static func totals(_ spec: CoreV1.PodSpec) -> (requests: [String: Quantity], limits: [String: Quantity]) {
        func total(_ pick: (CoreV1.ResourceRequirements) -> [String: Quantity]?) -> [String: Quantity] {
            var sum: [String: Quantity] = [:]
            for container in spec.containers {
                for (name, value) in pick(container.resources ?? CoreV1.ResourceRequirements()) ?? [:] {
                    sum[name, default: Quantity()] += value
                }
            }
            for container in spec.initContainers ?? [] {
                for (name, value) in pick(container.resources ?? CoreV1.ResourceRequirements()) ?? [:]
                where sum[name].map({ $0 < value }) ?? true {
                    sum[name] = value
                }
            }
            for (name, value) in spec.overhead ?? [:] where sum[name] != nil {
                sum[name, default: Quantity()] += value
            }
            return sum
        }
        return (total { $0.requests }, total { $0.limits })
    }
}
