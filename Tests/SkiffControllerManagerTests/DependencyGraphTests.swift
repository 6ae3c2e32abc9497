import Foundation
import SkiffAPIMachinery
import SkiffControllerManager
import Testing

/// The garbage collector's graph: what each observed change asks the collector to look at.
struct DependencyGraphTests {
    static func identity(_ name: String, uid: String, kind: String = "ConfigMap") -> ObjectIdentity {
        ObjectIdentity(apiVersion: "v1", kind: kind, namespace: "default", name: name, uid: uid)
    }

    static func meta(
        owners: [(name: String, uid: String, block: Bool)] = [],
        deleting: Bool = false,
        finalizers: [String] = []
    ) -> MetaV1.ObjectMeta {
        var meta = MetaV1.ObjectMeta()
        meta.ownerReferences =
            owners.isEmpty
            ? nil
            : owners.map {
                MetaV1.OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: $0.name, uid: $0.uid, blockOwnerDeletion: $0.block)
            }
        if deleting { meta.deletionTimestamp = Time(Date(timeIntervalSince1970: 1_800_000_000)) }
        meta.finalizers = finalizers.isEmpty ? nil : finalizers
        return meta
    }

    @Test func anUnseenOwnerGetsAVirtualNodeToVerify() {
        var graph = DependencyGraph()
        let actions = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("parent", "p", false)]))
        // The virtual owner and the new dependent are both checked.
        #expect(actions.attemptToDelete == ["p", "c"])
        #expect(graph["p"]?.isVirtual == true)
        #expect(graph["p"]?.dependents == ["c"])
        #expect(graph["p"]?.identity.namespace == "default")

        // Observing the owner makes the node real, with its own coordinates; nothing to do.
        let observed = graph.observe(Self.identity("parent", uid: "p"), metadata: Self.meta())
        #expect(observed == DependencyGraph.Actions())
        #expect(graph["p"]?.isVirtual == false)
        #expect(graph["p"]?.dependents == ["c"])
    }

    @Test func anOwnerGoingQueuesItsDependents() {
        var graph = DependencyGraph()
        _ = graph.observe(Self.identity("parent", uid: "p"), metadata: Self.meta())
        _ = graph.observe(Self.identity("a", uid: "a"), metadata: Self.meta(owners: [("parent", "p", false)]))
        _ = graph.observe(Self.identity("b", uid: "b"), metadata: Self.meta(owners: [("parent", "p", false)]))
        let actions = graph.remove(Self.identity("parent", uid: "p"))
        #expect(actions.attemptToDelete == ["a", "b"])
        #expect(graph["p"] == nil)
        // Its dependents' lookups of it are answered from the absent cache.
        #expect(graph.isKnownAbsent(Self.identity("parent", uid: "p")))
    }

    @Test func foregroundDeletionQueuesDependentsAndReleasesTheOwnerWhenTheLastBlockerGoes() {
        var graph = DependencyGraph()
        _ = graph.observe(Self.identity("parent", uid: "p"), metadata: Self.meta())
        _ = graph.observe(Self.identity("blocker", uid: "b"), metadata: Self.meta(owners: [("parent", "p", true)]))
        _ = graph.observe(Self.identity("other", uid: "o"), metadata: Self.meta(owners: [("parent", "p", false)]))
        #expect(graph.blockingDependents(of: "p").map(\.identity.uid) == ["b"])

        let deleting = graph.observe(
            Self.identity("parent", uid: "p"),
            metadata: Self.meta(deleting: true, finalizers: [GarbageCollectionFinalizer.foregroundDeletion])
        )
        #expect(deleting.attemptToDelete == ["b", "o", "p"])
        #expect(graph["p"]?.deletingDependents == true)
        // The same state observed again (a resync) starts nothing new.
        let again = graph.observe(
            Self.identity("parent", uid: "p"),
            metadata: Self.meta(deleting: true, finalizers: [GarbageCollectionFinalizer.foregroundDeletion])
        )
        #expect(again == DependencyGraph.Actions())

        // A dependent that goes, or stops blocking, sends the owner back to be checked.
        #expect(graph.remove(Self.identity("blocker", uid: "b")).attemptToDelete == ["p"])
        #expect(graph.blockingDependents(of: "p").isEmpty)
        let unblocked = graph.observe(Self.identity("other", uid: "o"), metadata: Self.meta(owners: []))
        #expect(unblocked.attemptToDelete == ["p"])
        #expect(graph["p"]?.dependents.isEmpty == true)
    }

    @Test func orphanDeletionQueuesTheOwnerOnce() {
        var graph = DependencyGraph()
        _ = graph.observe(Self.identity("parent", uid: "p"), metadata: Self.meta())
        let deleting = graph.observe(
            Self.identity("parent", uid: "p"),
            metadata: Self.meta(deleting: true, finalizers: [GarbageCollectionFinalizer.orphan])
        )
        #expect(deleting.attemptToOrphan == ["p"])
        let again = graph.observe(
            Self.identity("parent", uid: "p"),
            metadata: Self.meta(deleting: true, finalizers: [GarbageCollectionFinalizer.orphan])
        )
        #expect(again.attemptToOrphan.isEmpty)
        // An object first seen while already being deleted with the finalizer is orphaned too.
        var fresh = DependencyGraph()
        let seen = fresh.observe(
            Self.identity("parent", uid: "p"),
            metadata: Self.meta(deleting: true, finalizers: [GarbageCollectionFinalizer.orphan])
        )
        #expect(seen.attemptToOrphan == ["p"])
    }

    @Test func aVirtualDeleteUnderOtherCoordinatesKeepsTheObservedNode() {
        var graph = DependencyGraph()
        _ = graph.observe(Self.identity("parent", uid: "p"), metadata: Self.meta())
        _ = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("parent", "p", false)]))
        // A dependent that named the owner as a Secret: that owner is absent, the observed ConfigMap stays.
        let secret = Self.identity("parent", uid: "p", kind: "Secret")
        #expect(graph.remove(secret, virtual: true) == DependencyGraph.Actions())
        #expect(graph["p"] != nil)
        // Under its own coordinates it goes.
        #expect(graph.remove(Self.identity("parent", uid: "p"), virtual: true).attemptToDelete == ["c"])
        #expect(graph["p"] == nil)
    }

    @Test func changedOwnerReferencesMoveTheDependent() {
        var graph = DependencyGraph()
        _ = graph.observe(Self.identity("one", uid: "1"), metadata: Self.meta())
        _ = graph.observe(Self.identity("two", uid: "2"), metadata: Self.meta())
        _ = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("one", "1", false)]))
        _ = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("two", "2", false)]))
        #expect(graph["1"]?.dependents.isEmpty == true)
        #expect(graph["2"]?.dependents == ["c"])
    }

    @Test func aDependentOutsideItsObservedOwnersNamespaceIsReported() {
        var graph = DependencyGraph()
        let owner = ObjectIdentity(apiVersion: "v1", kind: "ConfigMap", namespace: "elsewhere", name: "parent", uid: "p")
        _ = graph.observe(owner, metadata: Self.meta())
        // Owner observed first, dependent second (↔ addDependentToOwners).
        let actions = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("parent", "p", false)]))
        #expect(actions.attemptToDelete == ["c"])
        #expect(actions.invalidNamespaceOwnerReferences.map(\.dependent.uid) == ["c"])
        #expect(
            actions.invalidNamespaceOwnerReferences.first?.message
                == "ownerRef [v1/ConfigMap, namespace: default, name: parent, uid: p] does not exist in namespace \"default\""
        )
        // A dependent in the owner's namespace is fine.
        let sameNamespace = ObjectIdentity(apiVersion: "v1", kind: "ConfigMap", namespace: "elsewhere", name: "ok", uid: "o")
        #expect(graph.observe(sameNamespace, metadata: Self.meta(owners: [("parent", "p", false)])).invalidNamespaceOwnerReferences.isEmpty)
        // An update that adds such a reference is reported, and the dependent checked.
        _ = graph.observe(Self.identity("later", uid: "l"), metadata: Self.meta())
        let updated = graph.observe(Self.identity("later", uid: "l"), metadata: Self.meta(owners: [("parent", "p", false)]))
        #expect(updated.invalidNamespaceOwnerReferences.map(\.dependent.uid) == ["l"])
        #expect(updated.attemptToDelete == ["l"])
    }

    @Test func aVirtualOwnerObservedInAnotherNamespaceReportsItsDependents() {
        var graph = DependencyGraph()
        // Dependent first: the owner is virtual, assumed in the dependent's namespace.
        _ = graph.observe(Self.identity("child", uid: "c"), metadata: Self.meta(owners: [("parent", "p", false)]))
        let owner = ObjectIdentity(apiVersion: "v1", kind: "ConfigMap", namespace: "elsewhere", name: "parent", uid: "p")
        let actions = graph.observe(owner, metadata: Self.meta())
        #expect(actions.invalidNamespaceOwnerReferences.map(\.dependent.uid) == ["c"])
        #expect(actions.attemptToDelete == ["c"])
        #expect(graph["p"]?.identity == owner)
    }

    @Test func aClusterScopedOwnerMayOwnAnyNamespace() {
        var graph = DependencyGraph()
        let owner = ObjectIdentity(apiVersion: "v1", kind: "Node", namespace: "", name: "node-1", uid: "n")
        _ = graph.observe(owner, metadata: Self.meta())
        var meta = MetaV1.ObjectMeta()
        meta.ownerReferences = [MetaV1.OwnerReference(apiVersion: "v1", kind: "Node", name: "node-1", uid: "n")]
        let actions = graph.observe(Self.identity("child", uid: "c"), metadata: meta)
        #expect(actions.invalidNamespaceOwnerReferences.isEmpty)
        // Virtual first, then observed cluster-scoped: nothing to report or recheck.
        var other = DependencyGraph()
        _ = other.observe(Self.identity("child", uid: "c"), metadata: meta)
        let observed = other.observe(owner, metadata: Self.meta())
        #expect(observed == DependencyGraph.Actions())
    }
}

