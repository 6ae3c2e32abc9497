import SkiffAPI
import SkiffAPIMachinery
import Testing

@testable import SkiffScheduler

struct KubeSchedulerConfigurationTests {
    func framework(_ profile: KubeSchedulerProfile) throws -> Framework {
        try Framework(
            profile: profile,
            registry: .inTree,
            dependencies: FrameworkDependencies(
                snapshot: Snapshot(),
                client: InMemorySchedulerClient(),
                clock: SchedulerTestClock().clock,
                logger: Make.logger
            )
        )
    }

    @Test func defaultsMatchUpstream() throws {
        let configuration = KubeSchedulerConfiguration().defaulted()
        #expect(configuration.parallelism == 16)
        #expect(configuration.percentageOfNodesToScore == 0)
        #expect(configuration.podInitialBackoffSeconds == 1)
        #expect(configuration.podMaxBackoffSeconds == 10)
        #expect(configuration.leaderElection?.leaderElect == true)
        #expect(configuration.leaderElection?.leaseDuration == "15s")
        #expect(configuration.profiles?.map(\.schedulerName) == ["default-scheduler"])
        let framework = try self.framework(configuration.profiles![0])
        #expect(framework.queueSortPlugin?.name == "PrioritySort")
        #expect(framework.preEnqueuePlugins.map(\.name) == ["SchedulingGates"])
        #expect(
            Array(framework.filterPlugins.map(\.name).prefix(6)) == [
                "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
            ]
        )
        let weights = Dictionary(uniqueKeysWithValues: framework.scorePlugins.map { ($0.plugin.name, $0.weight) })
        #expect(weights["TaintToleration"] == 3)
        #expect(weights["NodeAffinity"] == 2)
        #expect(weights["NodeResourcesFit"] == 1)
        #expect(weights["NodeResourcesBalancedAllocation"] == 1)
        #expect(weights["ImageLocality"] == 1)
        #expect(framework.bindPlugins.map(\.name) == ["DefaultBinder"])
    }

    @Test func loadsProfilesPluginsAndArgsFromYAML() throws {
        let yaml = """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            percentageOfNodesToScore: 30
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: bin-packer
              plugins:
                score:
                  disabled:
                  - name: NodeResourcesBalancedAllocation
                  - name: ImageLocality
                  enabled:
                  - name: NodeResourcesFit
                    weight: 5
                multiPoint:
                  disabled:
                  - name: TaintToleration
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: MostAllocated
                    resources:
                    - name: cpu
                      weight: 3
                    - name: memory
                      weight: 1
            """
        let configuration = try KubeSchedulerConfiguration.load(yaml: yaml).defaulted()
        #expect(configuration.percentageOfNodesToScore == 30)
        #expect(configuration.profiles?.map(\.schedulerName) == ["default-scheduler", "bin-packer"])
        let packer = try self.framework(configuration.profiles![1])
        #expect(!packer.filterPlugins.contains { $0.name == "TaintToleration" })
        let weights = Dictionary(uniqueKeysWithValues: packer.scorePlugins.map { ($0.plugin.name, $0.weight) })
        #expect(weights["NodeResourcesFit"] == 5)
        #expect(weights["NodeResourcesBalancedAllocation"] == nil)
        #expect(weights["ImageLocality"] == nil)
        // MostAllocated with cpu weighted 3: the fuller node wins.
        let fit = try #require(packer.plugins["NodeResourcesFit"] as? NodeResourcesFit)
        let pod = PodInfo(Make.pod("p", cpu: "1", memory: "1Gi"))
        let empty = Make.nodeInfo(Make.node("empty"))
        let busy = Make.nodeInfo(Make.node("busy"), pods: [Make.pod("b", cpu: "2", memory: "1Gi", nodeName: "busy")])
        #expect(fit.score(pod, on: busy, state: CycleState()).0 > fit.score(pod, on: empty, state: CycleState()).0)
    }

    @Test(arguments: [
        (
            "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n  bogus: 1\n",
            "strict decoding error: unknown field \"profiles[0].bogus\""
        ),
        (
            "apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n",
            "no kind \"KubeSchedulerConfiguration\" is registered for version \"kubescheduler.config.k8s.io/v1beta3\""
        ),
    ])
    func rejectsUnknownFieldsAndVersions(_ yaml: String, _ message: String) {
        #expect {
            try KubeSchedulerConfiguration.load(yaml: yaml)
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func validationRejectsDuplicateProfilesAndBadPercentages() {
        var configuration = KubeSchedulerConfiguration(profiles: [KubeSchedulerProfile(), KubeSchedulerProfile()])
        configuration.percentageOfNodesToScore = 120
        #expect {
            try configuration.validate()
        } throws: { error in
            "\(error)"
                == "[percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100], "
                + "profiles[1].schedulerName: Duplicate value: \"default-scheduler\"]"
        }
    }

    @Test func unknownPluginsAreReported() {
        let profile = KubeSchedulerProfile(
            plugins: Plugins(multiPoint: PluginSet(enabled: [Plugin(name: "NoSuchPlugin")]))
        )
        #expect {
            try self.framework(KubeSchedulerConfiguration(profiles: [profile]).defaulted().profiles![0])
        } throws: { error in
            "\(error)" == "\"NoSuchPlugin\" does not exist"
        }
    }

    @Test func specificExtensionPointsOverrideMultiPointOrder() throws {
        let plugins = Plugins(
            multiPoint: PluginSet(enabled: [Plugin(name: "NodeName"), Plugin(name: "NodePorts")])
        )
        var custom = plugins
        custom.filter = PluginSet(enabled: [Plugin(name: "NodePorts")])
        custom.queueSort = PluginSet(enabled: [Plugin(name: "PrioritySort")])
        custom.bind = PluginSet(enabled: [Plugin(name: "DefaultBinder")])
        let framework = try self.framework(KubeSchedulerProfile(plugins: custom))
        #expect(framework.filterPlugins.map(\.name) == ["NodePorts", "NodeName"])
    }
}
