import SkiffAPI

/// Lets pods ride out a node's brief trouble: adds NoExecute tolerations of `node.kubernetes.io/not-ready` and
/// `node.kubernetes.io/unreachable` for 300 seconds to pods that tolerate neither already (↔ upstream
/// `plugin/pkg/admission/defaulttolerationseconds`, on by default; its `--default-not-ready-toleration-seconds`
/// and `--default-unreachable-toleration-seconds` are ``notReadySeconds`` and ``unreachableSeconds``).
struct DefaultTolerationSeconds: MutatingAdmissionPlugin {
    static let pluginName = "DefaultTolerationSeconds"
    var name: String { Self.pluginName }

    var notReadySeconds: Int64 = 300
    var unreachableSeconds: Int64 = 300

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard attributes.isMainResource(.pods), attributes.operation == .create || attributes.operation == .update,
            var pod = attributes.object as? CoreV1.Pod, var spec = pod.spec
        else { return }
        var tolerations = spec.tolerations ?? []
        // A toleration with an empty key or effect matches every key or effect.
        func tolerates(_ key: String) -> Bool {
            tolerations.contains { toleration in
                let keyMatches = (toleration.key ?? "").isEmpty || toleration.key == key
                let effectMatches = (toleration.effect ?? "").isEmpty || toleration.effect == "NoExecute"
                return keyMatches && effectMatches
            }
        }
        let toleratesNotReady = tolerates("node.kubernetes.io/not-ready")
        let toleratesUnreachable = tolerates("node.kubernetes.io/unreachable")
        if !toleratesNotReady {
            tolerations.append(
                CoreV1.Toleration(
                    key: "node.kubernetes.io/not-ready",
                    operator: "Exists",
                    effect: "NoExecute",
                    tolerationSeconds: self.notReadySeconds
                )
            )
        }
        if !toleratesUnreachable {
            tolerations.append(
                CoreV1.Toleration(
                    key: "node.kubernetes.io/unreachable",
                    operator: "Exists",
                    effect: "NoExecute",
                    tolerationSeconds: self.unreachableSeconds
                )
            )
        }
        guard !toleratesNotReady || !toleratesUnreachable else { return }
        spec.tolerations = tolerations
        pod.spec = spec
        attributes.object = pod
    }
}
