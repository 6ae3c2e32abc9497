public import SkiffAPIMachinery

/// The scheduler's configuration file, `kubescheduler.config.k8s.io/v1` `KubeSchedulerConfiguration`.
///
/// Field names and defaults are upstream's: ``parallelism`` 16, ``podInitialBackoffSeconds`` 1,
/// ``podMaxBackoffSeconds`` 10, ``percentageOfNodesToScore`` 0 (adaptive), one profile `default-scheduler` with
/// the default plugins. Load one with ``KubeSchedulerConfiguration/load(yaml:)``; ``defaulted()`` fills the
/// defaults in as upstream's `SetDefaults_KubeSchedulerConfiguration`.
public struct KubeSchedulerConfiguration: Codable, Sendable, Hashable {
    public static let apiVersionV1 = "kubescheduler.config.k8s.io/v1"

    public var apiVersion: String?
    public var kind: String?
    /// How many nodes are filtered and scored at once (upstream default 16).
    public var parallelism: Int32?
    /// Leader election settings.
    public var leaderElection: LeaderElectionConfiguration?
    /// The kubeconfig and client rate limits.
    public var clientConnection: ClientConnectionConfiguration?
    /// The share of nodes to find feasible before scoring stops looking; 0 for the adaptive default.
    public var percentageOfNodesToScore: Int32?
    /// The first back-off of a pod that failed (seconds).
    public var podInitialBackoffSeconds: Int64?
    /// The largest back-off (seconds).
    public var podMaxBackoffSeconds: Int64?
    /// The profiles, one per `schedulerName`.
    public var profiles: [KubeSchedulerProfile]?

    /// An empty configuration (every field defaults).
    public init(profiles: [KubeSchedulerProfile]? = nil) {
        self.apiVersion = Self.apiVersionV1
        self.kind = "KubeSchedulerConfiguration"
        self.profiles = profiles
    }

    /// The `leaderElection` stanza (↔ `componentbaseconfig.LeaderElectionConfiguration`).
    public struct LeaderElectionConfiguration: Codable, Sendable, Hashable {
        public var leaderElect: Bool?
        public var leaseDuration: String?
        public var renewDeadline: String?
        public var retryPeriod: String?
        public var resourceLock: String?
        public var resourceName: String?
        public var resourceNamespace: String?

        public init(leaderElect: Bool? = nil) { self.leaderElect = leaderElect }
    }

    /// The `clientConnection` stanza.
    public struct ClientConnectionConfiguration: Codable, Sendable, Hashable {
        public var kubeconfig: String?
        public var acceptContentTypes: String?
        public var contentType: String?
        public var qps: Double?
        public var burst: Int32?

        public init(kubeconfig: String? = nil) { self.kubeconfig = kubeconfig }
    }
}

/// One scheduling profile: a scheduler name and its plugins (↔ `KubeSchedulerProfile`).
public struct KubeSchedulerProfile: Codable, Sendable, Hashable {
    /// The `spec.schedulerName` of the pods this profile schedules (default `default-scheduler`).
    public var schedulerName: String?
    /// Overrides the top-level ``KubeSchedulerConfiguration/percentageOfNodesToScore``.
    public var percentageOfNodesToScore: Int32?
    /// Plugins enabled and disabled per extension point; merged with the defaults.
    public var plugins: Plugins?
    /// Arguments by plugin name.
    public var pluginConfig: [PluginConfig]?

    /// Makes a profile.
    public init(
        schedulerName: String? = nil,
        percentageOfNodesToScore: Int32? = nil,
        plugins: Plugins? = nil,
        pluginConfig: [PluginConfig]? = nil
    ) {
        self.schedulerName = schedulerName
        self.percentageOfNodesToScore = percentageOfNodesToScore
        self.plugins = plugins
        self.pluginConfig = pluginConfig
    }
}

/// Plugins per extension point (↔ `Plugins`).
public struct Plugins: Codable, Sendable, Hashable {
    public var preEnqueue: PluginSet?
    public var queueSort: PluginSet?
    public var preFilter: PluginSet?
    public var filter: PluginSet?
    public var postFilter: PluginSet?
    public var preScore: PluginSet?
    public var score: PluginSet?
    public var reserve: PluginSet?
    public var permit: PluginSet?
    public var preBind: PluginSet?
    public var bind: PluginSet?
    public var postBind: PluginSet?
    /// Plugins enabled at every extension point they implement.
    public var multiPoint: PluginSet?

    /// No plugins.
    public init(multiPoint: PluginSet? = nil) { self.multiPoint = multiPoint }

    /// The extension points, as key paths with their names (immutable; key paths are not `Sendable`).
    nonisolated(unsafe) static let extensionPoints: [(name: String, path: WritableKeyPath<Plugins, PluginSet?>)] = [
        ("preEnqueue", \.preEnqueue), ("queueSort", \.queueSort), ("preFilter", \.preFilter), ("filter", \.filter),
        ("postFilter", \.postFilter), ("preScore", \.preScore), ("score", \.score), ("reserve", \.reserve),
        ("permit", \.permit), ("preBind", \.preBind), ("bind", \.bind), ("postBind", \.postBind),
        ("multiPoint", \.multiPoint),
    ]
}

/// Plugins enabled and disabled at one extension point (↔ `PluginSet`). `disabled: [{name: "*"}]` disables every
/// default plugin.
public struct PluginSet: Codable, Sendable, Hashable {
    public var enabled: [Plugin]?
    public var disabled: [Plugin]?

    public init(enabled: [Plugin]? = nil, disabled: [Plugin]? = nil) {
        self.enabled = enabled
        self.disabled = disabled
    }
}

/// A plugin name with its score weight (↔ `Plugin`).
public struct Plugin: Codable, Sendable, Hashable {
    public var name: String
    /// The weight of the plugin's score (score and multiPoint only; 0 or absent means the default).
    public var weight: Int32?

    public init(name: String, weight: Int32? = nil) {
        self.name = name
        self.weight = weight
    }
}

/// Arguments of one plugin (↔ `PluginConfig`); `args` is the plugin's own args object.
public struct PluginConfig: Codable, Sendable, Hashable {
    public var name: String
    public var args: JSONValue?

    public init(name: String, args: JSONValue? = nil) {
        self.name = name
        self.args = args
    }
}
