import Foundation
import SkiffAPI
import SkiffAPIMachinery
import Testing

/// Server-side apply and update ownership on Deployments and ConfigMaps, in the scenarios upstream documents
/// ("Server-Side Apply": merge strategies, conflicts, shared ownership, transferring ownership, removal of fields).
struct FieldOwnershipTests {
    static let deployments = FieldOwnership(
        definitionName: "io.k8s.api.apps.v1.Deployment",
        apiVersion: "apps/v1",
        ignoredFields: FieldSet([FieldSetPath(fields: "status")])
    )!
    static let t0 = Time(Date(timeIntervalSince1970: 1_700_000_000))
    static let t1 = Time(Date(timeIntervalSince1970: 1_700_000_100))

    static func json(_ text: String) -> JSONValue { PatchTestSupport.json(text) }
    static func text(_ value: JSONValue) -> String { PatchTestSupport.text(value) }

    static func deployment(_ spec: String, labels: String = #"{"app":"web"}"#) -> JSONValue {
        Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":"# + labels + #"},"spec":"# + spec + "}")
    }

    static func fields(_ managed: ManagedFields, _ manager: String, _ operation: ManagedFields.Manager.Operation = .apply) -> String? {
        let key = ManagedFields.Manager(manager: manager, operation: operation, apiVersion: "apps/v1")
        return managed.managers[key].map { Self.text($0.fields.fieldsV1) }
    }

    @Test
    func applyOnAMissingObjectCreatesItAndOwnsWhatItApplied() throws {
        var managed = ManagedFields()
        let config = Self.deployment(#"{"replicas":2,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1"}]}}}"#)
        let result = try Self.deployments.apply(live: nil, config: config, managed: &managed, manager: "kubectl", force: false, now: Self.t0)
        #expect(result == config)
        #expect(
            Self.fields(managed, "kubectl")
                == #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}"#
        )
        let entry = managed.entries[0]
        #expect(entry.operation == "Apply")
        #expect(entry.apiVersion == "apps/v1")
        #expect(entry.fieldsType == "FieldsV1")
        #expect(entry.time == Self.t0)
    }

    @Test
    func createRecordsAnUpdateEntryWithMapAndListItemsAsMembers() {
        var managed = ManagedFields()
        let object = Self.deployment(
            #"{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}}"#
        )
        Self.deployments.update(live: nil, new: object, managed: &managed, manager: "kubectl-create", now: Self.t0)
        #expect(
            Self.fields(managed, "kubectl-create", .update)
                == #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}}}}"#
        )
    }

    /// `kubectl create deployment nginx --image=nginx` after upstream's defaults, and the FieldsV1 upstream
    /// records for it: struct fields Go holds by value (`spec`, `strategy`, `template`, its `metadata` and
    /// `spec`) and `containers` (null in Go's zero PodSpec) are never members themselves, while pointer structs
    /// that appear (`rollingUpdate`, an empty `securityContext`) and everything inside a new list item
    /// (`resources: {}`) are, with `.` when they have children.
    @Test
    func createRecordsPointerStructsAsMembersAndValueStructsOnlyByTheirContents() {
        var managed = ManagedFields()
        let object = Self.json(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","labels":{"app":"nginx"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600},"status":{}}"#
        )
        Self.deployments.update(live: nil, new: object, managed: &managed, manager: "kubectl-create", now: Self.t0)
        #expect(
            Self.fields(managed, "kubectl-create", .update)
                == #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}"#
        )
    }

    /// An update that sets a pointer struct the live object lacks owns the struct itself; one that sets fields
    /// inside a struct Go holds by value owns only those fields, even when the stored JSON omits the struct.
    @Test
    func updatesAddPointerStructsButNotValueStructs() {
        var managed = ManagedFields()
        let live = Self.deployment(#"{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}"#)
        let new = Self.deployment(
            #"{"replicas":1,"strategy":{"type":"Recreate"},"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}},"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}}}]}}}"#
        )
        Self.deployments.update(live: live, new: new, managed: &managed, manager: "kubectl-edit", now: Self.t0)
        #expect(
            Self.fields(managed, "kubectl-edit", .update)
                == #"{"f:spec":{"f:strategy":{"f:type":{}},"f:template":{"f:spec":{"f:affinity":{".":{},"f:nodeAffinity":{".":{},"f:requiredDuringSchedulingIgnoredDuringExecution":{}}},"f:containers":{"k:{\"name\":\"c\"}":{"f:resources":{"f:limits":{".":{},"f:cpu":{}}}}}}}}}"#
        )
    }

    struct MergeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var live: String
        var config: String
        var expected: String
        var testDescription: String { self.name }
    }

    static let merges: [MergeCase] = [
        MergeCase(
            name: "associative lists merge by their keys, keeping live-only elements",
            live: #"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}"#,
            config: #"{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}"#,
            expected: #"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}}"#
        ),
        MergeCase(
            name: "new associative elements are added after the shared ones",
            live: #"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}"#,
            config: #"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"c","image":"c:1"}]}}}"#,
            expected: #"{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"c","image":"c:1"}]}}}"#
        ),
        MergeCase(
            name: "ports merge by containerPort and the defaulted protocol",
            live: #"{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP","name":"http"}]}]}}}"#,
            config: #"{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":8080}]}]}}}"#,
            expected: #"{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP","name":"http","hostPort":8080}]}]}}}"#
        ),
        MergeCase(
            name: "atomic lists are replaced",
            live: #"{"template":{"spec":{"containers":[{"name":"a","args":["x","y"]}]}}}"#,
            config: #"{"template":{"spec":{"containers":[{"name":"a","args":["z"]}]}}}"#,
            expected: #"{"template":{"spec":{"containers":[{"name":"a","args":["z"]}]}}}"#
        ),
        MergeCase(
            name: "atomic maps (a label selector) are replaced",
            live: #"{"selector":{"matchLabels":{"app":"web","tier":"fe"}}}"#,
            config: #"{"selector":{"matchLabels":{"app":"web"}}}"#,
            expected: #"{"selector":{"matchLabels":{"app":"web"}}}"#
        ),
        MergeCase(
            name: "granular maps merge by key",
            live: #"{"template":{"metadata":{"labels":{"a":"1","b":"2"}}}}"#,
            config: #"{"template":{"metadata":{"labels":{"b":"3","c":"4"}}}}"#,
            expected: #"{"template":{"metadata":{"labels":{"a":"1","b":"3","c":"4"}}}}"#
        ),
    ]

    @Test(arguments: Self.merges)
    func mergesByTheSchema(_ c: MergeCase) throws {
        var managed = ManagedFields()
        let result = try Self.deployments.apply(
            live: Self.deployment(c.live),
            config: Self.deployment(c.config),
            managed: &managed,
            manager: "m",
            force: false,
            now: Self.t0
        )
        #expect(Self.text(result["spec"]!) == Self.text(Self.json(c.expected)))
    }

    @Test
    func setListsMergeByValue() throws {
        let live = Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a","b"]}}"#)
        let config = Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["c","a"]}}"#)
        var managed = ManagedFields()
        let result = try Self.deployments.apply(live: live, config: config, managed: &managed, manager: "m", force: false, now: Self.t0)
        #expect(Self.text(result["metadata"]!["finalizers"]!) == #"["c","a","b"]"#)
        #expect(Self.fields(managed, "m") == #"{"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"c\"":{}}}}"#)
    }

    @Test
    func fieldsNoLongerAppliedAreRemoved() throws {
        var managed = ManagedFields()
        let first = try Self.deployments.apply(
            live: nil,
            config: Self.deployment(#"{"replicas":2,"paused":true}"#, labels: #"{"app":"web","tier":"fe"}"#),
            managed: &managed,
            manager: "m",
            force: false,
            now: Self.t0
        )
        let second = try Self.deployments.apply(
            live: first,
            config: Self.deployment(#"{"replicas":2}"#),
            managed: &managed,
            manager: "m",
            force: false,
            now: Self.t1
        )
        #expect(Self.text(second["metadata"]!["labels"]!) == #"{"app":"web"}"#)
        #expect(second["spec"]!["paused"] == nil)
        #expect(Self.fields(managed, "m") == #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}"#)
        #expect(managed.entries[0].time == Self.t1)
    }

    @Test
    func fieldsOwnedByAnotherApplierAreNotRemoved() throws {
        var managed = ManagedFields()
        var object = try Self.deployments.apply(
            live: nil,
            config: Self.deployment(#"{"replicas":2}"#, labels: #"{"app":"web","tier":"fe"}"#),
            managed: &managed,
            manager: "a",
            force: false,
            now: Self.t0
        )
        // b applies the same tier label: shared ownership, no conflict.
        object = try Self.deployments.apply(
            live: object,
            config: Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"tier":"fe"}}}"#),
            managed: &managed,
            manager: "b",
            force: false,
            now: Self.t0
        )
        object = try Self.deployments.apply(
            live: object,
            config: Self.deployment(#"{"replicas":2}"#),
            managed: &managed,
            manager: "a",
            force: false,
            now: Self.t1
        )
        #expect(Self.text(object["metadata"]!["labels"]!) == #"{"app":"web","tier":"fe"}"#)
        #expect(Self.fields(managed, "b") == #"{"f:metadata":{"f:labels":{"f:tier":{}}}}"#)
    }

    @Test
    func applyingTheCurrentValueIsNotAConflictAndSharesOwnership() throws {
        var managed = ManagedFields()
        let live = Self.deployment(#"{"replicas":3}"#)
        Self.deployments.update(live: nil, new: live, managed: &managed, manager: "kubectl-create", now: Self.t0)
        let result = try Self.deployments.apply(
            live: live,
            config: Self.deployment(#"{"replicas":3}"#),
            managed: &managed,
            manager: "python-client",
            force: false,
            now: Self.t1
        )
        #expect(result == live)
        #expect(Self.fields(managed, "kubectl-create", .update)?.contains("f:replicas") == true)
        #expect(Self.fields(managed, "python-client")?.contains("f:replicas") == true)
    }

    @Test
    func changingAnotherManagersFieldIsAConflictWithUpstreamsMessage() throws {
        var managed = ManagedFields()
        let live = Self.deployment(#"{"replicas":3}"#)
        Self.deployments.update(live: nil, new: live, managed: &managed, manager: "kubectl-client-side-apply", now: Self.t0)
        #expect(throws: FieldOwnership.ApplyError.self) {
            try Self.deployments.apply(
                live: live,
                config: Self.deployment(#"{"replicas":5}"#),
                managed: &managed,
                manager: "kubectl",
                force: false,
                now: Self.t1
            )
        }
        do {
            _ = try Self.deployments.apply(
                live: live,
                config: Self.deployment(#"{"replicas":5}"#),
                managed: &managed,
                manager: "other",
                force: false,
                now: Self.t1
            )
            Issue.record("expected a conflict")
        } catch {
            guard case .conflicts(let conflicts) = error else { throw error }
            #expect(
                FieldOwnership.Conflict.message(conflicts)
                    == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
            )
            #expect(conflicts[0].path.description == ".spec.replicas")
        }
        // A failed apply leaves the managed fields untouched.
        #expect(managed.managers.count == 1)
    }

    @Test
    func severalConflictsAreListedByManager() throws {
        var managed = ManagedFields()
        var live = try Self.deployments.apply(
            live: nil,
            config: Self.deployment(#"{"replicas":3,"paused":false}"#),
            managed: &managed,
            manager: "a",
            force: false,
            now: Self.t0
        )
        live = try Self.deployments.apply(
            live: live,
            config: Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"minReadySeconds":5}}"#),
            managed: &managed,
            manager: "b",
            force: false,
            now: Self.t0
        )
        do {
            _ = try Self.deployments.apply(
                live: live,
                config: Self.deployment(#"{"replicas":4,"paused":true,"minReadySeconds":6}"#),
                managed: &managed,
                manager: "c",
                force: false,
                now: Self.t1
            )
            Issue.record("expected conflicts")
        } catch {
            guard case .conflicts(let conflicts) = error else { throw error }
            #expect(
                FieldOwnership.Conflict.message(conflicts)
                    == "Apply failed with 3 conflicts: conflicts with \"a\":\n- .spec.paused\n- .spec.replicas\nconflicts with \"b\":\n- .spec.minReadySeconds"
            )
        }
    }

    @Test
    func forceTakesOwnership() throws {
        var managed = ManagedFields()
        let live = try Self.deployments.apply(
            live: nil,
            config: Self.deployment(#"{"replicas":3}"#),
            managed: &managed,
            manager: "a",
            force: false,
            now: Self.t0
        )
        let result = try Self.deployments.apply(
            live: live,
            config: Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}"#),
            managed: &managed,
            manager: "b",
            force: true,
            now: Self.t1
        )
        #expect(result["spec"]!["replicas"] == 5)
        #expect(Self.fields(managed, "a") == #"{"f:metadata":{"f:labels":{"f:app":{}}}}"#)
        #expect(Self.fields(managed, "b") == #"{"f:spec":{"f:replicas":{}}}"#)
    }

    @Test
    func updatesMoveOwnershipOfChangedFields() throws {
        var managed = ManagedFields()
        let live = try Self.deployments.apply(
            live: nil,
            config: Self.deployment(#"{"replicas":3}"#),
            managed: &managed,
            manager: "kubectl",
            force: false,
            now: Self.t0
        )
        let scaled = Self.deployment(#"{"replicas":7}"#)
        Self.deployments.update(live: live, new: scaled, managed: &managed, manager: "kube-controller-manager", now: Self.t1)
        #expect(Self.fields(managed, "kubectl") == #"{"f:metadata":{"f:labels":{"f:app":{}}}}"#)
        #expect(Self.fields(managed, "kube-controller-manager", .update) == #"{"f:spec":{"f:replicas":{}}}"#)
        #expect(managed.entries.map(\.manager) == ["kubectl", "kube-controller-manager"])
    }

    @Test
    func noOpUpdatesAndAppliesChangeNothing() throws {
        var managed = ManagedFields()
        let config = Self.deployment(#"{"replicas":3}"#)
        let live = try Self.deployments.apply(live: nil, config: config, managed: &managed, manager: "m", force: false, now: Self.t0)
        let before = managed
        let again = try Self.deployments.apply(live: live, config: config, managed: &managed, manager: "m", force: false, now: Self.t1)
        #expect(again == live)
        #expect(managed == before)
        Self.deployments.update(live: live, new: live, managed: &managed, manager: "u", now: Self.t1)
        #expect(managed == before)
    }

    @Test
    func statusIsIgnoredOnTheMainResource() throws {
        var managed = ManagedFields()
        let object = Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1},"status":{"replicas":1}}"#)
        Self.deployments.update(live: nil, new: object, managed: &managed, manager: "u", now: Self.t0)
        #expect(Self.fields(managed, "u", .update) == #"{"f:spec":{"f:replicas":{}}}"#)
    }

    @Test
    func kubectlUpgradesClientSideApplyWithoutConflicts() throws {
        // Created by client-side apply: the annotation holds the configuration, the Update entry owns the fields.
        let lastApplied = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#
        let live = Self.json(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"# + Self.text(.string(lastApplied)) + #"}},"spec":{"replicas":3,"paused":false}}"#
        )
        var managed = ManagedFields()
        Self.deployments.update(live: nil, new: live, managed: &managed, manager: "kubectl-client-side-apply", now: Self.t0)
        // The server-side configuration changes replicas, which the last configuration set to its live value.
        let config = Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":4}}"#)
        let result = try Self.deployments.apply(live: live, config: config, managed: &managed, manager: "kubectl", force: false, now: Self.t1)
        #expect(result["spec"]!["replicas"] == 4)
        #expect(
            result["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]
                == .string(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":4}}"# + "\n")
        )
        // paused was never in the last configuration: another manager applying it still conflicts.
        #expect(throws: FieldOwnership.ApplyError.self) {
            var copy = managed
            _ = try Self.deployments.apply(
                live: result,
                config: Self.json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"paused":true}}"#),
                managed: &copy,
                manager: "kubectl",
                force: false,
                now: Self.t1
            )
        }
    }

    @Test
    func applyRejectsAssociativeElementsWithoutTheirKey() {
        var managed = ManagedFields()
        #expect(throws: FieldOwnership.ApplyError.self) {
            try Self.deployments.apply(
                live: nil,
                config: Self.deployment(#"{"template":{"spec":{"containers":[{"image":"x"}]}}}"#),
                managed: &managed,
                manager: "m",
                force: false,
                now: Self.t0
            )
        }
    }

    @Test
    func updateManagersAreCappedIntoAncientChanges() {
        var managed = ManagedFields()
        var live: JSONValue? = nil
        for index in 0..<12 {
            let object = Self.json(
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"l\#(index)":"v"}}}"#
            )
            var merged = object
            if let live, case .object(var root) = object, case .object(var meta)? = root["metadata"],
                case .object(var labels)? = meta["labels"], case .object(let old)? = live["metadata"]?["labels"]
            {
                for (k, v) in old { labels[k] = v }
                meta["labels"] = .object(labels)
                root["metadata"] = .object(meta)
                merged = .object(root)
            }
            Self.deployments.update(
                live: live,
                new: merged,
                managed: &managed,
                manager: "m\(index)",
                now: Time(Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))
            )
            live = merged
        }
        let managers = managed.entries.map { $0.manager ?? "" }
        #expect(managers.count == 10)
        #expect(managers.contains("ancient-changes"))
        #expect(!managers.contains("m0"))
        #expect(managers.last == "m11")
    }
}
