import Logging
public import SkiffAPI
import SkiffAPIMachinery
public import SkiffClient

/// The scheduler's API calls over SkiffClient: `pods/binding`, status patches, deletions and events through the
/// client library's event recorder (asynchronous, with upstream's spam filter).
public struct APISchedulerClient: SchedulerAPIClient {
    let client: APIClient
    let recorder: EventRecorder?

    /// Makes the client; events go to `recorder` (none when `nil`).
    public init(client: APIClient, recorder: EventRecorder?) {
        self.client = client
        self.recorder = recorder
    }

    public func bind(namespace: String, name: String, uid: String, nodeName: String) async throws {
        let binding = CoreV1.Binding(
            metadata: MetaV1.ObjectMeta(name: name, namespace: namespace, uid: uid.isEmpty ? nil : uid),
            target: CoreV1.ObjectReference(kind: "Node", name: nodeName)
        )
        _ = try await self.client.resource(CoreV1.Pod.self, namespace: namespace).createSubresource(
            name,
            subresource: "binding",
            body: binding,
            as: JSONValue.self
        )
    }

    public func patchPodStatus(
        namespace: String,
        name: String,
        condition: CoreV1.PodCondition?,
        nominatedNodeName: String?
    ) async throws {
        var status: [(key: String, value: JSONValue)] = []
        if let condition {
            var members: [(key: String, value: JSONValue)] = [
                ("type", .string(condition.type)), ("status", .string(condition.status)),
            ]
            if let time = condition.lastTransitionTime { members.append(("lastTransitionTime", .string(time.string))) }
            members.append(("lastProbeTime", .null))
            if let reason = condition.reason { members.append(("reason", .string(reason))) }
            if let message = condition.message { members.append(("message", .string(message))) }
            status.append(("conditions", .array([.object(JSONObject(members))])))
        }
        if let nominatedNodeName {
            status.append(("nominatedNodeName", nominatedNodeName.isEmpty ? .null : .string(nominatedNodeName)))
        }
        guard !status.isEmpty else { return }
        let body = JSONValue.object(JSONObject([("status", .object(JSONObject(status)))]))
        try await self.client.resource(CoreV1.Pod.self, namespace: namespace).patchDiscardingResult(
            name,
            type: .strategic,
            body: body,
            subresource: "status"
        )
    }

    public func deletePod(namespace: String, name: String, uid: String) async throws {
        var options = MetaV1.DeleteOptions()
        if !uid.isEmpty { options.preconditions = MetaV1.Preconditions(uid: uid) }
        _ = try await self.client.resource(CoreV1.Pod.self, namespace: namespace).delete(name, options: options)
    }

    public func recordEvent(_ event: SchedulerEvent) async {
        guard let recorder = self.recorder else { return }
        let regarding = CoreV1.ObjectReference(
            kind: "Pod",
            namespace: event.namespace,
            name: event.name,
            uid: event.uid.isEmpty ? nil : event.uid,
            apiVersion: "v1",
            resourceVersion: event.resourceVersion
        )
        let related = event.related.map { CoreV1.ObjectReference(kind: "Node", name: $0, apiVersion: "v1") }
        recorder.record(
            regarding: regarding,
            related: related,
            type: event.type == "Warning" ? .warning : .normal,
            reason: event.reason,
            action: event.action,
            note: event.note
        )
    }
}
