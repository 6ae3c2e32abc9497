import SkiffAPI
import SkiffAPIMachinery
import SkiffQuota
import Testing

/// Which resources the quota controller must count for a quota's `hard` names, and what a pod is charged.
struct QuotaResourcesTests {
    @Test func hardNamesMapToTheResourcesThatUseThem() {
        let resources = QuotaEvaluator.resources(tracking: [
            "pods", "requests.cpu", "limits.memory", "count/deployments.apps", "count/configmaps", "secrets",
            "services.nodeports", "requests.storage", "gold.storageclass.storage.k8s.io/persistentvolumeclaims",
        ])
        #expect(resources.map { "\($0.resource).\($0.group)" } == [
            "pods.", "deployments.apps", "configmaps.", "secrets.", "services.", "persistentvolumeclaims.",
        ])
    }

    @Test func aPodIsChargedItsRequestsUntilItFinishes() {
        let evaluator = QuotaEvaluator(group: "", resource: "pods")
        var pod = CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: "p", namespace: "ns"),
            spec: CoreV1.PodSpec(containers: [
                CoreV1.Container(
                    name: "c",
                    resources: CoreV1.ResourceRequirements(limits: ["memory": "1Gi"], requests: ["cpu": "250m"])
                )
            ])
        )
        let running = evaluator.usage(pod)
        #expect(running["count/pods"]?.description == "1")
        #expect(running["pods"]?.description == "1")
        #expect(running["requests.cpu"]?.description == "250m")
        #expect(running["limits.memory"]?.description == "1Gi")
        pod.status = CoreV1.PodStatus(phase: "Succeeded")
        #expect(evaluator.usage(pod).keys.sorted() == ["count/pods"])
    }
}
