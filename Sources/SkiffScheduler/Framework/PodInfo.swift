public import SkiffAPI
public import SkiffAPIMachinery

/// A pod with everything the plugins derive from its spec computed once (↔ `framework.PodInfo`).
///
/// Immutable: a changed pod gets a new `PodInfo`. Besides upstream's parsed affinity terms it carries the resource
/// requests (with init and sidecar containers and overhead), the non-zero requests used by scoring, the host ports
/// and the parsed node selector/affinity, so that the per-node Filter and Score calls do no parsing.
public final class PodInfo: Sendable {
    // Stored properties are laid out in declaration order: what the per-node loops read (namespace, labels,
    // terms, requests) comes first, the large Pod value last, so that counting pods on thousands of nodes touches
    // few cache lines per pod.

    /// `namespace/name`.
    public let key: String
    /// `metadata.uid` (empty when absent).
    public let uid: String
    /// `metadata.namespace` (empty for none).
    public let namespace: String
    /// `metadata.name`.
    public let name: String
    /// `metadata.labels` (empty for none).
    public let labels: [String: String]
    /// `spec.priority`, 0 when unset.
    public let priority: Int32
    /// Required pod affinity terms, parsed.
    public let requiredAffinityTerms: [AffinityTerm]
    /// Required pod anti-affinity terms, parsed.
    public let requiredAntiAffinityTerms: [AffinityTerm]
    /// Preferred pod affinity terms, parsed, with weights.
    public let preferredAffinityTerms: [WeightedAffinityTerm]
    /// Preferred pod anti-affinity terms, parsed, with weights.
    public let preferredAntiAffinityTerms: [WeightedAffinityTerm]
    /// Errors met while parsing the terms (an invalid selector), reported by the affinity plugins.
    public let parseErrors: [String]
    /// The effective requests (↔ `resource.PodRequests`): containers and sidecars summed, the largest init
    /// container step, plus `spec.overhead`.
    public let requests: Resource
    /// The same with 100m CPU / 200 MB memory for containers that request none (↔ `GetNonzeroRequests`).
    public let nonZeroRequests: Resource
    /// Host ports used by the containers and sidecars (`hostPort > 0`).
    public let hostPorts: [HostPort]
    /// The required node selection: `spec.nodeSelector` and required node affinity, parsed.
    public let requiredNodeAffinity: RequiredNodeAffinity
    /// Container images (containers and init containers), normalized as ImageLocality compares them.
    public let images: [String]
    /// `spec.nodeName` (empty when unassigned).
    public let nodeName: String
    /// The number of containers and init containers.
    public let containerCount: Int
    /// `metadata.deletionTimestamp` is set: the pod is going away (spreading does not count it).
    public let isTerminating: Bool
    /// The pod.
    public let pod: CoreV1.Pod

    /// Computes the derived information of `pod`.
    public init(_ pod: CoreV1.Pod) {
        self.pod = pod
        self.namespace = pod.metadata.namespace ?? ""
        self.name = pod.metadata.name ?? ""
        self.key = self.namespace.isEmpty ? self.name : self.namespace + "/" + self.name
        self.uid = pod.metadata.uid ?? ""
        self.labels = pod.metadata.labels ?? [:]
        self.priority = pod.spec?.priority ?? 0
        var errors: [String] = []
        let affinity = pod.spec?.affinity
        let namespace = self.namespace
        func terms(_ list: [CoreV1.PodAffinityTerm]?) -> [AffinityTerm] {
            guard let list else { return [] }
            return list.compactMap { term in
                do { return try AffinityTerm(term, podNamespace: namespace) } catch {
                    errors.append("\(error)")
                    return nil
                }
            }
        }
        func weighted(_ list: [CoreV1.WeightedPodAffinityTerm]?) -> [WeightedAffinityTerm] {
            guard let list else { return [] }
            return list.compactMap { weighted in
                do {
                    return WeightedAffinityTerm(
                        term: try AffinityTerm(weighted.podAffinityTerm, podNamespace: namespace),
                        weight: weighted.weight
                    )
                } catch {
                    errors.append("\(error)")
                    return nil
                }
            }
        }
        self.requiredAffinityTerms = terms(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        self.requiredAntiAffinityTerms = terms(
            affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        )
        self.preferredAffinityTerms = weighted(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        self.preferredAntiAffinityTerms = weighted(
            affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution
        )
        self.parseErrors = errors
        let computed = PodInfo.computeRequests(pod.spec)
        self.requests = computed.requests
        self.nonZeroRequests = computed.nonZero
        self.hostPorts = PodInfo.hostPorts(of: pod.spec)
        self.requiredNodeAffinity = RequiredNodeAffinity(pod)
        var images: [String] = []
        for container in pod.spec?.initContainers ?? [] {
            if let image = container.image { images.append(ImageName.normalized(image)) }
        }
        for container in pod.spec?.containers ?? [] {
            if let image = container.image { images.append(ImageName.normalized(image)) }
        }
        self.images = images
        self.nodeName = pod.spec?.nodeName ?? ""
        self.containerCount = (pod.spec?.initContainers?.count ?? 0) + (pod.spec?.containers.count ?? 0)
        self.isTerminating = pod.metadata.deletionTimestamp != nil
    }

    private init(copying other: PodInfo, pod: CoreV1.Pod) {
        self.pod = pod
        self.key = other.key
        self.uid = other.uid
        self.namespace = other.namespace
        self.name = other.name
        self.labels = other.labels
        self.priority = other.priority
        self.requiredAffinityTerms = other.requiredAffinityTerms
        self.requiredAntiAffinityTerms = other.requiredAntiAffinityTerms
        self.preferredAffinityTerms = other.preferredAffinityTerms
        self.preferredAntiAffinityTerms = other.preferredAntiAffinityTerms
        self.parseErrors = other.parseErrors
        self.requests = other.requests
        self.nonZeroRequests = other.nonZeroRequests
        self.hostPorts = other.hostPorts
        self.requiredNodeAffinity = other.requiredNodeAffinity
        self.images = other.images
        self.nodeName = pod.spec?.nodeName ?? ""
        self.containerCount = other.containerCount
        self.isTerminating = pod.metadata.deletionTimestamp != nil
    }

    /// The same pod with `spec.nodeName` set, as the cache assumes it; the derived information is reused.
    public func assumed(on nodeName: String) -> PodInfo {
        var pod = self.pod
        if pod.spec == nil { pod.spec = CoreV1.PodSpec(containers: []) }
        pod.spec?.nodeName = nodeName
        return PodInfo(copying: self, pod: pod)
    }

    /// `true` when the pod has pod affinity or anti-affinity (of any kind).
    public var hasAffinityConstraints: Bool {
        guard let affinity = self.pod.spec?.affinity else { return false }
        return affinity.podAffinity != nil || affinity.podAntiAffinity != nil
    }

    /// `true` when the pod has required anti-affinity terms.
    public var hasRequiredAntiAffinity: Bool { !self.requiredAntiAffinityTerms.isEmpty }

    /// `true` for restartable init containers (`restartPolicy: Always`), the sidecars.
    static func isSidecar(_ container: CoreV1.Container) -> Bool {
        container.restartPolicy == "Always"
    }

    /// The requests of `spec` (↔ `resource.PodRequests` with the non-missing-container defaults for `nonZero`).
    static func computeRequests(_ spec: CoreV1.PodSpec?) -> (requests: Resource, nonZero: Resource) {
        guard let spec else { return (Resource(), Resource()) }
        var requests = Resource()
        var nonZero = Resource()
        for container in spec.containers {
            let list = container.resources?.requests
            requests.add(Resource(list))
            nonZero.add(Self.nonZero(list))
        }
        // Sidecars run beside the containers; a regular init container runs alone with the sidecars started
        // before it, and the pod needs the largest such step.
        var sidecars = Resource()
        var sidecarsNonZero = Resource()
        var initMax = Resource()
        var initMaxNonZero = Resource()
        for container in spec.initContainers ?? [] {
            let list = container.resources?.requests
            let request = Resource(list)
            let requestNonZero = Self.nonZero(list)
            if Self.isSidecar(container) {
                sidecars.add(request)
                sidecarsNonZero.add(requestNonZero)
                requests.add(request)
                nonZero.add(requestNonZero)
            } else {
                var step = request
                step.add(sidecars)
                initMax.formMax(step)
                var stepNonZero = requestNonZero
                stepNonZero.add(sidecarsNonZero)
                initMaxNonZero.formMax(stepNonZero)
            }
        }
        requests.formMax(initMax)
        nonZero.formMax(initMaxNonZero)
        if let overhead = spec.overhead {
            let extra = Resource(overhead)
            requests.add(extra)
            nonZero.add(extra)
        }
        return (requests, nonZero)
    }

    /// A container's requests with the scoring defaults for a missing cpu or memory request.
    private static func nonZero(_ list: [String: Quantity]?) -> Resource {
        var resource = Resource(list)
        if list?[Resource.Name.cpu] == nil { resource.milliCPU = NonZeroDefaults.milliCPU }
        if list?[Resource.Name.memory] == nil { resource.memory = NonZeroDefaults.memory }
        return resource
    }

    /// Host ports of the containers and sidecars (↔ `schedutil.GetHostPorts`).
    static func hostPorts(of spec: CoreV1.PodSpec?) -> [HostPort] {
        guard let spec else { return [] }
        var ports: [HostPort] = []
        for container in spec.initContainers ?? [] where Self.isSidecar(container) {
            for port in container.ports ?? [] where (port.hostPort ?? 0) > 0 {
                ports.append(HostPort(port))
            }
        }
        for container in spec.containers {
            for port in container.ports ?? [] where (port.hostPort ?? 0) > 0 {
                ports.append(HostPort(port))
            }
        }
        return ports
    }
}

/// A parsed pod (anti-)affinity term (↔ `framework.AffinityTerm`).
public struct AffinityTerm: Sendable, Hashable {
    /// The namespaces the term selects pods in (`namespaces`, or the pod's own when both fields are empty).
    public var namespaces: Set<String>
    /// The label selector pods must match (`labelSelector`; a missing selector matches nothing).
    public var selector: Labels.Selector
    /// The node label that defines the topology domain.
    public var topologyKey: String
    /// `namespaceSelector`, parsed (``Labels/Selector/nothing`` when absent).
    public var namespaceSelector: Labels.Selector

    /// Makes a term from its parts.
    public init(namespaces: Set<String>, selector: Labels.Selector, topologyKey: String, namespaceSelector: Labels.Selector) {
        self.namespaces = namespaces
        self.selector = selector
        self.topologyKey = topologyKey
        self.namespaceSelector = namespaceSelector
    }

    /// Parses an API term of a pod in `podNamespace` (↔ `newAffinityTerm`).
    public init(_ term: CoreV1.PodAffinityTerm, podNamespace: String) throws(Labels.SelectorError) {
        self.selector = try Labels.Selector(term.labelSelector)
        var namespaces = Set(term.namespaces ?? [])
        if namespaces.isEmpty && term.namespaceSelector == nil {
            namespaces.insert(podNamespace)
        }
        self.namespaces = namespaces
        self.topologyKey = term.topologyKey
        self.namespaceSelector = try Labels.Selector(term.namespaceSelector)
    }

    /// `true` when `pod` (in a namespace labelled `namespaceLabels`) is selected by the term (↔ `Matches`).
    public func matches(_ pod: PodInfo, namespaceLabels: [String: String]) -> Bool {
        // The usual term names one namespace: a string comparison is cheaper than hashing into the set.
        let inNamespaces =
            self.namespaces.count == 1 ? self.namespaces.first == pod.namespace : self.namespaces.contains(pod.namespace)
        if inNamespaces || self.namespaceSelector.matches(namespaceLabels) {
            return self.selector.matches(pod.labels)
        }
        return false
    }
}

/// A preferred term with its weight (↔ `framework.WeightedAffinityTerm`).
public struct WeightedAffinityTerm: Sendable, Hashable {
    /// The term.
    public var term: AffinityTerm
    /// Its weight, 1-100.
    public var weight: Int32

    /// Makes a weighted term.
    public init(term: AffinityTerm, weight: Int32) {
        self.term = term
        self.weight = weight
    }
}

/// A host port a container asks for: IP (default `0.0.0.0`), protocol (default `TCP`) and port.
public struct HostPort: Sendable, Hashable {
    /// The host IP, `0.0.0.0` when unset.
    public var ip: String
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String
    /// The host port.
    public var port: Int32

    /// Makes a host port, defaulting an empty IP and protocol as upstream's `sanitize`.
    public init(ip: String = "", protocol: String = "", port: Int32) {
        self.ip = ip.isEmpty ? "0.0.0.0" : ip
        self.protocol = `protocol`.isEmpty ? "TCP" : `protocol`
        self.port = port
    }

    /// The host port of a container port.
    public init(_ port: CoreV1.ContainerPort) {
        self.init(ip: port.hostIP ?? "", protocol: port.protocol ?? "", port: port.hostPort ?? 0)
    }
}

/// Image names as the kubelet reports them (↔ ImageLocality's `normalizedImageName`).
public enum ImageName {
    /// Adds `:latest` to a name with neither a tag nor a digest.
    public static func normalized(_ name: String) -> String {
        let colon = name.lastIndex(of: ":").map { name.distance(from: name.startIndex, to: $0) } ?? -1
        let slash = name.lastIndex(of: "/").map { name.distance(from: name.startIndex, to: $0) } ?? -1
        return colon <= slash ? name + ":latest" : name
    }
}
