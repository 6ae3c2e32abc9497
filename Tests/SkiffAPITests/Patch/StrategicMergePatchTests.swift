import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Strategic merge patch against the compiled-in schema, in the scenarios of apimachinery's `patch_test.go` and
/// the patches kubectl (`apply`, `edit`, `patch`, `set image`, `rollout restart`, `cordon`), Helm and the Python
/// client send.
struct StrategicMergePatchTests {
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
    static let node = GroupVersionKind(group: "", version: "v1", kind: "Node")
    static let podDisruptionBudget = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var kind: GroupVersionKind
        var document: String
        var patch: String
        var outcome: PatchOutcome
        var testDescription: String { self.name }
    }

    /// A Deployment whose pod template has the given `spec` members.
    static func deployment(podSpec: String, strategy: String = #"{"type":"RollingUpdate"}"#) -> String {
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"#
            + #""spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"strategy":\#(strategy),"#
            + #""template":{"metadata":{"labels":{"app":"web"}},"spec":\#(podSpec)}}}"#
    }

    /// A patch of a Deployment's pod template `spec`.
    static func podTemplatePatch(_ podSpec: String) -> String {
        #"{"spec":{"template":{"spec":\#(podSpec)}}}"#
    }

    static let containersAB = #"{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}"#

    static let mergingLists: [Case] = [
        Case(
            name: "containers merge by name: image change",
            kind: Self.deployment,
            document: Self.deployment(podSpec: Self.containersAB),
            patch: Self.podTemplatePatch(#"{"containers":[{"name":"b","image":"b:2"}]}"#),
            outcome: .document(
                Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}"#)
            )
        ),
        Case(
            name: "kubectl set image sends $setElementOrder/containers",
            kind: Self.deployment,
            document: Self.deployment(podSpec: Self.containersAB),
            patch: Self.podTemplatePatch(
                #"{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"#
                    + #""containers":[{"image":"b:2","name":"b"}]}"#
            ),
            outcome: .document(
                Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}"#)
            )
        ),
        Case(
            name: "$setElementOrder alone reorders the live list",
            kind: Self.deployment,
            document: Self.deployment(
                podSpec: #"{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"},{"name":"c","image":"c"}]}"#
            ),
            patch: Self.podTemplatePatch(
                #"{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}"#
            ),
            outcome: .document(
                Self.deployment(
                    podSpec:
                        #"{"containers":[{"name":"c","image":"c"},{"name":"a","image":"a"},{"name":"b","image":"b"}]}"#
                )
            )
        ),
        Case(
            name: "a new element goes first without an order list",
            kind: Self.deployment,
            document: Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a"}]}"#),
            patch: Self.podTemplatePatch(#"{"containers":[{"name":"z","image":"z"}]}"#),
            outcome: .document(
                Self.deployment(podSpec: #"{"containers":[{"name":"z","image":"z"},{"name":"a","image":"a"}]}"#)
            )
        ),
        Case(
            name: "a new element goes where $setElementOrder puts it",
            kind: Self.deployment,
            document: Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a"}]}"#),
            patch: Self.podTemplatePatch(
                #"{"$setElementOrder/containers":[{"name":"a"},{"name":"z"}],"containers":[{"name":"z","image":"z"}]}"#
            ),
            outcome: .document(
                Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a"},{"name":"z","image":"z"}]}"#)
            )
        ),
        Case(
            name: "kubectl apply removes a container with $patch: delete",
            kind: Self.deployment,
            document: Self.deployment(podSpec: Self.containersAB),
            patch: Self.podTemplatePatch(
                #"{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"$patch":"delete","name":"b"}]}"#
            ),
            outcome: .document(Self.deployment(podSpec: #"{"containers":[{"name":"a","image":"a:1"}]}"#))
        ),
        Case(
            name: "env add and remove by name",
            kind: Self.pod,
            document: #"""
                {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i",
                 "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}
                """#,
            patch: #"""
                {"spec":{"containers":[{"name":"c","env":[{"$patch":"delete","name":"B"},{"name":"C","value":"3"}]}]}}
                """#,
            outcome: .document(
                #"""
                {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i",
                 "env":[{"name":"C","value":"3"},{"name":"A","value":"1"}]}]}}
                """#
            )
        ),
        Case(
            name: "env change keeps the live order and merges members",
            kind: Self.pod,
            document: #"""
                {"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"1"},
                 {"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}]}}
                """#,
            patch: #"""
                {"spec":{"containers":[{"name":"c","$setElementOrder/env":[{"name":"A"},{"name":"B"},{"name":"C"}],
                 "env":[{"name":"B","value":"2","valueFrom":null},{"name":"C","value":"3"}]}]}}
                """#,
            outcome: .document(
                #"""
                {"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"1"},{"name":"B","value":"2"},
                 {"name":"C","value":"3"}]}]}}
                """#
            )
        ),
        Case(
            name: "container ports merge by containerPort",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"http"}]}]}}"#,
            patch: #"{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"web"}]}]}}"#,
            outcome: .document(
                #"{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"name":"web"}]}]}}"#
            )
        ),
        Case(
            name: "service ports merge by port",
            kind: Self.service,
            document: #"""
                {"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080},
                 {"name":"https","port":443,"protocol":"TCP","targetPort":8443}]}}
                """#,
            patch: #"{"spec":{"ports":[{"port":443,"targetPort":9443}]}}"#,
            outcome: .document(
                #"""
                {"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080},
                 {"name":"https","port":443,"protocol":"TCP","targetPort":9443}]}}
                """#
            )
        ),
        Case(
            name: "numeric merge keys: kubectl apply adds a Service port in place",
            kind: Self.service,
            document: #"{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443,"targetPort":8443}]}}"#,
            patch: #"""
                {"spec":{"$setElementOrder/ports":[{"port":80},{"port":8080},{"port":443}],
                 "ports":[{"port":8080,"targetPort":80}]}}
                """#,
            outcome: .document(
                #"{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":8080,"targetPort":80},"#
                    + #"{"port":443,"targetPort":8443}]}}"#
            )
        ),
        Case(
            name: "$patch: replace in a merging list replaces the list",
            kind: Self.deployment,
            document: Self.deployment(podSpec: Self.containersAB),
            patch: Self.podTemplatePatch(#"{"containers":[{"$patch":"replace"},{"name":"x","image":"x"}]}"#),
            outcome: .document(Self.deployment(podSpec: #"{"containers":[{"name":"x","image":"x"}]}"#))
        ),
        Case(
            name: "lists without a merge strategy are replaced",
            kind: Self.pod,
            document: #"""
                {"spec":{"containers":[{"name":"c","args":["a","b"]}],
                 "tolerations":[{"key":"k1","operator":"Exists"},{"key":"k2","operator":"Exists"}]}}
                """#,
            patch: #"""
                {"spec":{"containers":[{"name":"c","args":["z"]}],"tolerations":[{"key":"k3","operator":"Exists"}]}}
                """#,
            outcome: .document(
                #"""
                {"spec":{"containers":[{"name":"c","args":["z"]}],"tolerations":[{"key":"k3","operator":"Exists"}]}}
                """#
            )
        ),
        Case(
            name: "volumes merge by name and honour $retainKeys",
            kind: Self.pod,
            document: #"""
                {"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}},{"name":"w","emptyDir":{}}]}}
                """#,
            patch: #"""
                {"spec":{"volumes":[{"$retainKeys":["name","secret"],"name":"v","secret":{"secretName":"s"}}]}}
                """#,
            outcome: .document(
                #"{"spec":{"volumes":[{"name":"v","secret":{"secretName":"s"}},{"name":"w","emptyDir":{}}]}}"#
            )
        ),
    ]

    static let primitiveLists: [Case] = [
        Case(
            name: "finalizers form a union: new values first",
            kind: Self.pod,
            document: #"{"metadata":{"name":"p","finalizers":["a","b"]}}"#,
            patch: #"{"metadata":{"finalizers":["c"]}}"#,
            outcome: .document(#"{"metadata":{"name":"p","finalizers":["c","a","b"]}}"#)
        ),
        Case(
            name: "finalizers union keeps the live order of values both have",
            kind: Self.pod,
            document: #"{"metadata":{"finalizers":["a","b"]}}"#,
            patch: #"{"metadata":{"finalizers":["b","c"]}}"#,
            outcome: .document(#"{"metadata":{"finalizers":["a","b","c"]}}"#)
        ),
        Case(
            name: "$deleteFromPrimitiveList/finalizers removes values",
            kind: Self.pod,
            document: #"{"metadata":{"finalizers":["a","b","c"]}}"#,
            patch: #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","c"]}}"#,
            outcome: .document(#"{"metadata":{"finalizers":["b"]}}"#)
        ),
        Case(
            name: "kubectl apply of finalizers: order list, additions and deletions",
            kind: Self.pod,
            document: #"{"metadata":{"finalizers":["a","b"]}}"#,
            patch: #"""
                {"metadata":{"$setElementOrder/finalizers":["b","c"],"finalizers":["c"],
                 "$deleteFromPrimitiveList/finalizers":["a"]}}
                """#,
            outcome: .document(#"{"metadata":{"finalizers":["b","c"]}}"#)
        ),
        Case(
            name: "deleting from a missing list adds nothing",
            kind: Self.pod,
            document: #"{"metadata":{"name":"p"}}"#,
            patch: #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#,
            outcome: .document(#"{"metadata":{"name":"p"}}"#)
        ),
    ]

    static let maps: [Case] = [
        Case(
            name: "null deletes a label",
            kind: Self.pod,
            document: #"{"metadata":{"name":"p","labels":{"a":"1","b":"2"}}}"#,
            patch: #"{"metadata":{"labels":{"a":null,"c":"3"}}}"#,
            outcome: .document(#"{"metadata":{"name":"p","labels":{"b":"2","c":"3"}}}"#)
        ),
        Case(
            name: "$patch: replace on a map",
            kind: Self.pod,
            document: #"{"metadata":{"name":"p","labels":{"a":"1","b":"2"}}}"#,
            patch: #"{"metadata":{"labels":{"$patch":"replace","c":"3"}}}"#,
            outcome: .document(#"{"metadata":{"name":"p","labels":{"c":"3"}}}"#)
        ),
        Case(
            name: "$patch: delete on a map empties it",
            kind: Self.pod,
            document: #"{"spec":{"securityContext":{"runAsUser":1000},"hostNetwork":true}}"#,
            patch: #"{"spec":{"securityContext":{"$patch":"delete"}}}"#,
            outcome: .document(#"{"spec":{"securityContext":{},"hostNetwork":true}}"#)
        ),
        Case(
            name: "$patch: merge on a map is the default",
            kind: Self.pod,
            document: #"{"metadata":{"labels":{"a":"1"}}}"#,
            patch: #"{"metadata":{"labels":{"$patch":"merge","b":"2"}}}"#,
            outcome: .document(#"{"metadata":{"labels":{"a":"1","b":"2"}}}"#)
        ),
        Case(
            name: "$retainKeys switches a deployment from RollingUpdate to Recreate",
            kind: Self.deployment,
            document: Self.deployment(
                podSpec: Self.containersAB,
                strategy: #"{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}}"#
            ),
            patch: #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}"#,
            outcome: .document(Self.deployment(podSpec: Self.containersAB, strategy: #"{"type":"Recreate"}"#))
        ),
        Case(
            name: "a replace-strategy field is replaced (PodDisruptionBudget selector)",
            kind: Self.podDisruptionBudget,
            document: #"{"spec":{"minAvailable":1,"selector":{"matchLabels":{"a":"1"}}}}"#,
            patch: #"{"spec":{"selector":{"matchLabels":{"b":"2"}}}}"#,
            outcome: .document(#"{"spec":{"minAvailable":1,"selector":{"matchLabels":{"b":"2"}}}}"#)
        ),
        Case(
            name: "kubectl cordon sets spec.unschedulable on a node",
            kind: Self.node,
            document: #"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"podCIDR":"10.42.0.0/24"}}"#,
            patch: #"{"spec":{"unschedulable":true}}"#,
            outcome: .document(
                #"""
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
                 "spec":{"podCIDR":"10.42.0.0/24","unschedulable":true}}
                """#
            )
        ),
        Case(
            name: "kubectl rollout restart annotates the pod template",
            kind: Self.deployment,
            document: Self.deployment(podSpec: Self.containersAB),
            patch: #"""
                {"spec":{"template":{"metadata":{"annotations":
                 {"kubectl.kubernetes.io/restartedAt":"2026-11-22T04:00:00Z"}}}}}
                """#,
            outcome: .document(
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"#
                    + #""spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"RollingUpdate"},"#
                    + #""template":{"metadata":{"labels":{"app":"web"},"annotations":"#
                    + #"{"kubectl.kubernetes.io/restartedAt":"2026-11-22T04:00:00Z"}},"spec":\#(Self.containersAB)}}}"#
            )
        ),
        Case(
            name: "fields unknown to the schema get merge-patch semantics",
            kind: Self.pod,
            document: #"{"spec":{"x-custom":{"list":[{"name":"a"}],"keep":1}}}"#,
            patch: #"{"spec":{"x-custom":{"list":[{"name":"b"}],"gone":null}}}"#,
            outcome: .document(#"{"spec":{"x-custom":{"list":[{"name":"b"}],"keep":1}}}"#)
        ),
        Case(
            name: "directives and nulls never reach the result for new members",
            kind: Self.pod,
            document: #"{"metadata":{"name":"p"}}"#,
            patch: #"""
                {"metadata":{"labels":{"$patch":"replace","a":"1","b":null}},
                 "spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","image":"i","tty":null}]}}
                """#,
            outcome: .document(
                #"{"metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"c","image":"i"}]}}"#
            )
        ),
        Case(
            name: "a value of another type replaces the live one",
            kind: Self.pod,
            document: #"{"metadata":{"annotations":"oops"}}"#,
            patch: #"{"metadata":{"annotations":{"a":"1","b":null}}}"#,
            outcome: .document(#"{"metadata":{"annotations":{"a":"1"}}}"#)
        ),
    ]

    static let failures: [Case] = [
        Case(
            name: "a patch that is not an object",
            kind: Self.pod,
            document: #"{}"#,
            patch: #"[{"op":"add","path":"/a","value":1}]"#,
            outcome: .failure(
                .invalidPatch,
                message: "json: cannot unmarshal array into Go value of type map[string]interface {}"
            )
        ),
        Case(
            name: "an unknown $patch in a map",
            kind: Self.pod,
            document: #"{"metadata":{"labels":{"a":"1"}}}"#,
            patch: #"{"metadata":{"labels":{"$patch":"frob"}}}"#,
            outcome: .failure(.invalidDirective, message: "unknown patch type: frob in map: map[$patch:frob]")
        ),
        Case(
            name: "an unknown $patch in a list element",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"}]}}"#,
            patch: #"{"spec":{"containers":[{"$patch":"frob","name":"a"}]}}"#,
            outcome: .failure(.invalidDirective)
        ),
        Case(
            name: "$patch: merge in a list element",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"}]}}"#,
            patch: #"{"spec":{"containers":[{"$patch":"merge","name":"a"}]}}"#,
            outcome: .failure(.invalidDirective, message: "merging lists cannot yet be specified in the patch")
        ),
        Case(
            name: "a merging-list element without its merge key",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"}]}}"#,
            patch: #"{"spec":{"containers":[{"image":"x"}]}}"#,
            outcome: .failure(.missingMergeKey, message: "map: map[image:x] does not contain declared merge key: name")
        ),
        Case(
            name: "$patch: delete without the merge key",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"}]}}"#,
            patch: #"{"spec":{"containers":[{"$patch":"delete"}]}}"#,
            outcome: .failure(.missingMergeKey)
        ),
        Case(
            name: "$retainKeys that is not a list",
            kind: Self.deployment,
            document: #"{"spec":{"strategy":{"type":"Recreate"}}}"#,
            patch: #"{"spec":{"strategy":{"$retainKeys":"type"}}}"#,
            outcome: .failure(.invalidPatch, message: "invalid patch format of retainKeys")
        ),
        Case(
            name: "$retainKeys that omits a patched field",
            kind: Self.deployment,
            document: #"{"spec":{"strategy":{"type":"Recreate"}}}"#,
            patch: #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"RollingUpdate","rollingUpdate":{}}}}"#,
            outcome: .failure(.invalidPatch, message: "invalid patch format of retainKeys")
        ),
        Case(
            name: "$setElementOrder that is not a list",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"}]}}"#,
            patch: #"{"spec":{"$setElementOrder/containers":{"name":"a"}}}"#,
            outcome: .failure(.invalidPatch, message: "invalid patch format of setElementOrder list")
        ),
        Case(
            name: "$setElementOrder that contradicts the patch list",
            kind: Self.pod,
            document: #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
            patch: #"""
                {"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
                 "containers":[{"name":"b","image":"x"},{"name":"a","image":"y"}]}}
                """#,
            outcome: .failure(.invalidPatch)
        ),
        Case(
            name: "a malformed parallel-list key",
            kind: Self.pod,
            document: #"{"metadata":{"finalizers":["a"]}}"#,
            patch: #"{"metadata":{"$deleteFromPrimitiveList":["a"]}}"#,
            outcome: .failure(.invalidPatch, message: "invalid patch format of primitive list")
        ),
        Case(
            name: "a list of lists in a merging list",
            kind: Self.pod,
            document: #"{"metadata":{"finalizers":["a"]}}"#,
            patch: #"{"metadata":{"finalizers":[["b"]]}}"#,
            outcome: .failure(.invalidPatch, message: "lists of lists are not supported")
        ),
        Case(
            name: "a document that is not an object",
            kind: Self.pod,
            document: #"[1]"#,
            patch: #"{"metadata":{}}"#,
            outcome: .failure(.invalidDocument)
        ),
    ]

    @Test(arguments: Self.mergingLists + Self.primitiveLists + Self.maps + Self.failures)
    func appliesLikeUpstream(_ c: Case) throws {
        let patcher = try #require(StrategicMergePatch(groupVersionKind: c.kind))
        let document = PatchTestSupport.json(c.document)
        let patch = PatchTestSupport.json(c.patch)
        switch c.outcome {
        case .document(let expected):
            do {
                let result = try patcher.apply(patch, to: document)
                #expect(result == PatchTestSupport.json(expected), "got \(PatchTestSupport.text(result))")
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        case .failure(let code, let message):
            do {
                let result = try patcher.apply(patch, to: document)
                Issue.record("expected \(code), got \(PatchTestSupport.text(result))")
            } catch {
                #expect(error.code == code, "\(error)")
                if let message { #expect(error.message == message) }
            }
        }
    }

    @Test func hasNoSchemaForCustomResources() {
        #expect(
            StrategicMergePatch(groupVersionKind: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"))
                == nil
        )
        #expect(
            StrategicMergePatch(groupVersionKind: Self.deployment)?.definitionName == "io.k8s.api.apps.v1.Deployment"
        )
    }

    /// Every patchable built-in resource, and each of its patchable subresources, has patch metadata, so the API
    /// server never answers 415 for a strategic merge patch of a built-in kind.
    @Test(arguments: APISchema.resources.filter { $0.verbs.contains("patch") })
    func everyPatchableBuiltInKindHasPatchMetadata(_ resource: APIResourceInfo) throws {
        let patcher = try #require(StrategicMergePatch(groupVersionKind: resource.groupVersionKind))
        let result = try patcher.apply(
            PatchTestSupport.json(#"{"metadata":{"labels":{"a":"b"}}}"#),
            to: PatchTestSupport.json(#"{"metadata":{"name":"x"}}"#)
        )
        #expect(result == PatchTestSupport.json(#"{"metadata":{"name":"x","labels":{"a":"b"}}}"#))
        // A PATCH of `…/proxy` is forwarded to the pod, service or node, never applied to an object.
        for subresource in resource.subresources
        where subresource.verbs.contains("patch") && subresource.name != "proxy" {
            #expect(
                StrategicMergePatch(groupVersionKind: subresource.groupVersionKind) != nil,
                "\(resource.plural)/\(subresource.name): \(subresource.groupVersionKind)"
            )
        }
    }

    @Test func leavesTheInputsUntouchedAndIsRepeatable() throws {
        let patcher = try #require(StrategicMergePatch(groupVersionKind: Self.deployment))
        let document = PatchTestSupport.json(Self.deployment(podSpec: Self.containersAB))
        let patch = PatchTestSupport.json(Self.podTemplatePatch(#"{"containers":[{"name":"b","image":"b:2"}]}"#))
        let first = try patcher.apply(patch, to: document)
        let second = try patcher.apply(patch, to: first)
        #expect(first == second)
        #expect(document == PatchTestSupport.json(Self.deployment(podSpec: Self.containersAB)))
    }
}
