extension KubeSchedulerConfiguration {
    /// The default plugins of a profile, all at `multiPoint` with upstream's score weights (↔ v1
    /// `getDefaultPlugins`). The volume plugins (VolumeRestrictions, NodeVolumeLimits, VolumeBinding, VolumeZone)
    /// are not implemented and not listed.
    public static let defaultPlugins = Plugins(
        multiPoint: PluginSet(enabled: [
            Plugin(name: PluginNames.schedulingGates),
            Plugin(name: PluginNames.prioritySort),
            Plugin(name: PluginNames.nodeUnschedulable),
            Plugin(name: PluginNames.nodeName),
            Plugin(name: PluginNames.taintToleration, weight: 3),
            Plugin(name: PluginNames.nodeAffinity, weight: 2),
            Plugin(name: PluginNames.nodePorts),
            Plugin(name: PluginNames.nodeResourcesFit, weight: 1),
            Plugin(name: PluginNames.podTopologySpread, weight: 2),
            Plugin(name: PluginNames.interPodAffinity, weight: 2),
            Plugin(name: PluginNames.defaultPreemption),
            Plugin(name: PluginNames.nodeResourcesBalancedAllocation, weight: 1),
            Plugin(name: PluginNames.imageLocality, weight: 1),
            Plugin(name: PluginNames.defaultBinder),
        ])
    )

    /// The configuration with upstream's defaults filled in (↔ `SetDefaults_KubeSchedulerConfiguration`): one
    /// `default-scheduler` profile when none is given, and each profile's plugins merged with the defaults.
    public func defaulted() -> KubeSchedulerConfiguration {
        var configuration = self
        configuration.apiVersion = configuration.apiVersion ?? Self.apiVersionV1
        configuration.kind = configuration.kind ?? "KubeSchedulerConfiguration"
        configuration.parallelism = configuration.parallelism ?? 16
        configuration.percentageOfNodesToScore = configuration.percentageOfNodesToScore ?? 0
        configuration.podInitialBackoffSeconds = configuration.podInitialBackoffSeconds ?? 1
        configuration.podMaxBackoffSeconds = configuration.podMaxBackoffSeconds ?? 10
        var election = configuration.leaderElection ?? LeaderElectionConfiguration()
        election.leaderElect = election.leaderElect ?? true
        election.leaseDuration = election.leaseDuration ?? "15s"
        election.renewDeadline = election.renewDeadline ?? "10s"
        election.retryPeriod = election.retryPeriod ?? "2s"
        election.resourceLock = election.resourceLock ?? "leases"
        election.resourceName = election.resourceName ?? "kube-scheduler"
        election.resourceNamespace = election.resourceNamespace ?? "kube-system"
        configuration.leaderElection = election
        var connection = configuration.clientConnection ?? ClientConnectionConfiguration()
        connection.qps = connection.qps ?? 50
        connection.burst = connection.burst ?? 100
        connection.contentType = connection.contentType ?? "application/vnd.kubernetes.protobuf"
        configuration.clientConnection = connection
        var profiles = configuration.profiles ?? []
        if profiles.isEmpty { profiles = [KubeSchedulerProfile()] }
        configuration.profiles = profiles.map { profile in
            var profile = profile
            profile.schedulerName = profile.schedulerName ?? defaultSchedulerName
            profile.plugins = Self.merge(defaults: Self.defaultPlugins, custom: profile.plugins)
            return profile
        }
        return configuration
    }

    /// Merges a profile's plugins into the defaults, point by point (↔ `mergePlugins`).
    static func merge(defaults: Plugins, custom: Plugins?) -> Plugins {
        guard let custom else { return defaults }
        var merged = Plugins()
        for (_, path) in Plugins.extensionPoints {
            let result = Self.merge(defaults: defaults[keyPath: path], custom: custom[keyPath: path])
            merged[keyPath: path] = result
        }
        return merged
    }

    /// ↔ `mergePluginSet`: disabled plugins drop out of the defaults (`*` drops all), a re-configured default
    /// keeps its place with the custom weight, other custom plugins follow.
    static func merge(defaults: PluginSet?, custom: PluginSet?) -> PluginSet? {
        guard let custom else { return defaults }
        var disabled: [Plugin] = (custom.disabled ?? []).map { Plugin(name: $0.name) }
        disabled += (defaults?.disabled ?? []).map { Plugin(name: $0.name) }
        let disabledNames = Set(disabled.map(\.name))
        var customIndex: [String: Int] = [:]
        for (index, plugin) in (custom.enabled ?? []).enumerated() { customIndex[plugin.name] = index }
        var replaced = Set<Int>()
        var enabled: [Plugin] = []
        if !disabledNames.contains("*") {
            for plugin in defaults?.enabled ?? [] where !disabledNames.contains(plugin.name) {
                if let index = customIndex[plugin.name] {
                    enabled.append((custom.enabled ?? [])[index])
                    replaced.insert(index)
                } else {
                    enabled.append(plugin)
                }
            }
        }
        for (index, plugin) in (custom.enabled ?? []).enumerated() where !replaced.contains(index) {
            enabled.append(plugin)
        }
        return PluginSet(enabled: enabled, disabled: disabled.isEmpty ? nil : disabled)
    }

    /// Checks the configuration as upstream's `ValidateKubeSchedulerConfiguration` does for the fields Skiff
    /// uses; the error lists every problem.
    public func validate() throws {
        var errors: [String] = []
        if let parallelism = self.parallelism, parallelism <= 0 {
            errors.append("parallelism: Invalid value: \(parallelism): should be an integer value greater than zero")
        }
        if let percentage = self.percentageOfNodesToScore, percentage < 0 || percentage > 100 {
            errors.append(
                "percentageOfNodesToScore: Invalid value: \(percentage): not in valid range [0-100]"
            )
        }
        if let initial = self.podInitialBackoffSeconds, initial <= 0 {
            errors.append("podInitialBackoffSeconds: Invalid value: \(initial): must be greater than 0")
        }
        if let maximum = self.podMaxBackoffSeconds, maximum < (self.podInitialBackoffSeconds ?? 1) {
            errors.append(
                "podMaxBackoffSeconds: Invalid value: \(maximum): must be greater than or equal to PodInitialBackoffSeconds"
            )
        }
        var names = Set<String>()
        for (index, profile) in (self.profiles ?? []).enumerated() {
            let name = profile.schedulerName ?? defaultSchedulerName
            if name.isEmpty {
                errors.append("profiles[\(index)].schedulerName: Required value")
            } else if !names.insert(name).inserted {
                errors.append("profiles[\(index)].schedulerName: Duplicate value: \"\(name)\"")
            }
            if let percentage = profile.percentageOfNodesToScore, percentage < 0 || percentage > 100 {
                errors.append(
                    "profiles[\(index)].percentageOfNodesToScore: Invalid value: \(percentage): not in valid range [0-100]"
                )
            }
        }
        if !errors.isEmpty {
            throw SchedulerError(errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]")
        }
    }
}
