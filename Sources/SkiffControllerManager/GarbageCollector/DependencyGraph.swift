public import SkiffAPIMachinery

/// Who an object is: enough to find it again, and its uid to know it is still the same object
/// (↔ the garbage collector's `objectReference`).
public struct ObjectIdentity: Sendable, Hashable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    /// Empty for a cluster-scoped object.
    public var namespace: String
    public var name: String
    public var uid: String

    public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The API group of `apiVersion` (empty for the core group).
    public var group: String {
        guard let slash = self.apiVersion.firstIndex(of: "/") else { return "" }
        return String(self.apiVersion[..<slash])
    }

    /// Whether `other` names the same object the same way, ignoring the version (an owner reference may name
    /// another served version of the owner's group).
    func sameCoordinates(_ other: ObjectIdentity) -> Bool {
        self.uid == other.uid && self.group == other.group && self.kind == other.kind && self.name == other.name
            && self.namespace == other.namespace
    }

    public var description: String {
        "[\(self.apiVersion)/\(self.kind), namespace: \(self.namespace), name: \(self.name), uid: \(self.uid)]"
    }
}

/// The finalizers the garbage collector acts on.
public enum GarbageCollectionFinalizer {
    /// Dependents are orphaned (their owner references removed) before the owner goes.
    public static let orphan = "orphan"
    /// Blocking dependents are deleted before the owner goes.
    public static let foregroundDeletion = "foregroundDeletion"
}

/// The graph of owners and dependents of every object the garbage collector watches (↔ `GraphBuilder`'s
/// `uidToNode`). A value: the collector applies informer events to it in order and acts on what each change
/// says to look at (``Actions``).
///
/// An owner that a dependent names but that has not been observed gets a *virtual* node, checked against the
/// API server by `attemptToDelete` and removed when it does not exist there.
public struct DependencyGraph: Sendable {
    public struct Node: Sendable {
        public var identity: ObjectIdentity
        /// The owner references the object had when last observed.
        public var owners: [MetaV1.OwnerReference]
        /// The uids of the objects that name this one as an owner.
        public var dependents: Set<String>
        /// The object has a deletionTimestamp.
        public var beingDeleted: Bool
        /// The object is being deleted in the foreground: it waits for its blocking dependents to go.
        public var deletingDependents: Bool
        /// Added for a dependent's owner reference and not (yet) observed through an informer.
        public var isVirtual: Bool
        /// The object had the orphan finalizer when last observed.
        public var hasOrphanFinalizer = false
    }

    /// A dependent whose owner reference names an object observed in another namespace: namespaced owners
    /// live in their dependents' namespace, so the reference can never resolve (↔ `reportInvalidNamespaceOwnerRef`).
    public struct InvalidNamespaceOwnerReference: Sendable, Equatable {
        public var dependent: ObjectIdentity
        public var owner: MetaV1.OwnerReference

        public init(dependent: ObjectIdentity, owner: MetaV1.OwnerReference) {
            self.dependent = dependent
            self.owner = owner
        }

        /// Upstream's event message: the owner as the dependent names it, placed in the dependent's namespace.
        public var message: String {
            let named = ObjectIdentity(
                apiVersion: self.owner.apiVersion,
                kind: self.owner.kind,
                namespace: self.dependent.namespace,
                name: self.owner.name,
                uid: self.owner.uid
            )
            return "ownerRef \(named) does not exist in namespace \"\(self.dependent.namespace)\""
        }
    }

    /// What a change asks the collector to do.
    public struct Actions: Sendable, Equatable {
        /// Uids to check with `attemptToDelete` (dependents whose owner went, owners waiting for dependents, ...).
        public var attemptToDelete: [String] = []
        /// Uids of owners whose dependents must be orphaned.
        public var attemptToOrphan: [String] = []
        /// Owner references to report with an `OwnerRefInvalidNamespace` warning event.
        public var invalidNamespaceOwnerReferences: [InvalidNamespaceOwnerReference] = []

        public init(
            attemptToDelete: [String] = [],
            attemptToOrphan: [String] = [],
            invalidNamespaceOwnerReferences: [InvalidNamespaceOwnerReference] = []
        ) {
            self.attemptToDelete = attemptToDelete
            self.attemptToOrphan = attemptToOrphan
            self.invalidNamespaceOwnerReferences = invalidNamespaceOwnerReferences
        }
    }

    public private(set) var nodes: [String: Node] = [:]
    /// Owner identities verified absent, so that dependents naming them skip a lookup (↔ `absentOwnerCache`).
    private(set) var absentOwners: Set<ObjectIdentity> = []
    private static let absentOwnersLimit = 1000

    public init() {}

    public subscript(uid: String) -> Node? { self.nodes[uid] }

    /// Whether `identity` was verified not to exist.
    public func isKnownAbsent(_ identity: ObjectIdentity) -> Bool { self.absentOwners.contains(identity) }

    /// Records that `identity` does not exist (a bounded cache; forgetting only costs a lookup).
    mutating func recordAbsent(_ identity: ObjectIdentity) {
        if self.absentOwners.count >= Self.absentOwnersLimit { self.absentOwners.removeAll(keepingCapacity: true) }
        self.absentOwners.insert(identity)
    }

    /// The dependents of `uid` whose reference to it blocks its deletion (`blockOwnerDeletion: true`).
    public func blockingDependents(of uid: String) -> [Node] {
        guard let node = self.nodes[uid] else { return [] }
        return node.dependents.compactMap { self.nodes[$0] }.filter { dependent in
            dependent.owners.contains { $0.uid == uid && $0.blockOwnerDeletion == true }
        }
    }

    // MARK: Observed changes

    /// An object was added or updated (↔ `processGraphChanges` for add and update events).
    public mutating func observe(_ identity: ObjectIdentity, metadata: MetaV1.ObjectMeta) -> Actions {
        var actions = Actions()
        let owners = metadata.ownerReferences ?? []
        let beingDeleted = metadata.deletionTimestamp != nil
        let finalizers = metadata.finalizers ?? []
        let deletingDependents = beingDeleted && finalizers.contains(GarbageCollectionFinalizer.foregroundDeletion)
        let previous = self.nodes[identity.uid]

        if var node = previous {
            // A virtual node is now observed: it takes the object's real coordinates. Dependents that named it
            // under other coordinates are checked again; a dependent outside a namespaced owner's namespace is
            // definitely wrong and is reported.
            if node.isVirtual {
                if node.identity != identity {
                    for uid in node.dependents.sorted() {
                        guard let dependent = self.nodes[uid],
                            let reference = dependent.owners.first(where: { $0.uid == identity.uid })
                        else { continue }
                        let otherNamespace =
                            !identity.namespace.isEmpty && dependent.identity.namespace != identity.namespace
                        let otherCoordinates =
                            reference.kind != identity.kind || reference.name != identity.name
                            || Self.group(of: reference.apiVersion) != identity.group
                        guard otherNamespace || otherCoordinates else { continue }
                        if otherNamespace {
                            actions.invalidNamespaceOwnerReferences.append(
                                InvalidNamespaceOwnerReference(dependent: dependent.identity, owner: reference)
                            )
                        }
                        actions.attemptToDelete.append(uid)
                    }
                }
                node.isVirtual = false
                node.identity = identity
            }
            let added = owners.filter { owner in !node.owners.contains { $0.uid == owner.uid } }
            let removed = node.owners.filter { owner in !owners.contains { $0.uid == owner.uid } }
            let unblocked = node.owners.filter { old in
                old.blockOwnerDeletion == true
                    && owners.contains { $0.uid == old.uid && $0.blockOwnerDeletion != true }
            }
            let wasBeingDeleted = node.beingDeleted
            let wasDeletingDependents = node.deletingDependents
            let hadOrphanFinalizerWhileDeleted = node.beingDeleted && node.hasOrphanFinalizer
            node.owners = owners
            node.beingDeleted = beingDeleted
            node.deletingDependents = node.deletingDependents || deletingDependents
            node.hasOrphanFinalizer = finalizers.contains(GarbageCollectionFinalizer.orphan)
            self.nodes[identity.uid] = node
            for owner in removed {
                self.nodes[owner.uid]?.dependents.remove(identity.uid)
                // An owner waiting for its dependents may be free to go now.
                if self.nodes[owner.uid]?.deletingDependents == true { actions.attemptToDelete.append(owner.uid) }
            }
            for owner in unblocked where self.nodes[owner.uid]?.deletingDependents == true {
                actions.attemptToDelete.append(owner.uid)
            }
            self.addDependent(identity, owners: added, actions: &actions)
            self.transitions(
                uid: identity.uid,
                startsOrphaning: beingDeleted && node.hasOrphanFinalizer && !hadOrphanFinalizerWhileDeleted,
                startsDeletingDependents: deletingDependents && !(wasBeingDeleted && wasDeletingDependents),
                actions: &actions
            )
        } else {
            var node = Node(
                identity: identity,
                owners: owners,
                dependents: [],
                beingDeleted: beingDeleted,
                deletingDependents: deletingDependents,
                isVirtual: false
            )
            node.hasOrphanFinalizer = finalizers.contains(GarbageCollectionFinalizer.orphan)
            self.nodes[identity.uid] = node
            self.addDependent(identity, owners: owners, actions: &actions)
            self.transitions(
                uid: identity.uid,
                startsOrphaning: beingDeleted && node.hasOrphanFinalizer,
                startsDeletingDependents: deletingDependents,
                actions: &actions
            )
        }
        // An object that names owners is checked once, in case an owner is already gone.
        if previous == nil, !owners.isEmpty, !actions.attemptToDelete.contains(identity.uid) {
            actions.attemptToDelete.append(identity.uid)
        }
        return actions
    }

    /// An object was deleted (observed through an informer), or `attemptToDelete` verified that a node's object
    /// does not exist (`virtual`) (↔ `processGraphChanges` for delete events).
    public mutating func remove(_ identity: ObjectIdentity, virtual: Bool = false) -> Actions {
        var actions = Actions()
        guard let node = self.nodes[identity.uid] else { return actions }
        if virtual, !node.isVirtual, !node.identity.sameCoordinates(identity) {
            // The object exists under other coordinates: only dependents that named it as `identity` lost it.
            let matching = self.dependents(of: node, namedAs: identity)
            if !matching.isEmpty {
                self.recordAbsent(identity)
                actions.attemptToDelete.append(contentsOf: matching)
            }
            return actions
        }
        self.nodes[identity.uid] = nil
        for owner in node.owners {
            self.nodes[owner.uid]?.dependents.remove(identity.uid)
        }
        if !node.dependents.isEmpty { self.recordAbsent(identity) }
        actions.attemptToDelete.append(contentsOf: node.dependents.sorted())
        for owner in node.owners where self.nodes[owner.uid]?.deletingDependents == true {
            actions.attemptToDelete.append(owner.uid)
        }
        return actions
    }

    // MARK: Helpers

    private func dependents(of node: Node, namedAs identity: ObjectIdentity) -> [String] {
        node.dependents.sorted().filter { uid in
            guard let dependent = self.nodes[uid] else { return false }
            return dependent.owners.contains { owner in
                owner.uid == identity.uid && owner.kind == identity.kind && owner.name == identity.name
                    && Self.group(of: owner.apiVersion) == identity.group
            }
        }
    }

    private static func group(of apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// Links `dependent` to `owners`, adding a virtual node (to verify) for each owner not in the graph.
    private mutating func addDependent(_ dependent: ObjectIdentity, owners: [MetaV1.OwnerReference], actions: inout Actions) {
        for owner in owners {
            if self.nodes[owner.uid] == nil {
                self.nodes[owner.uid] = Node(
                    identity: ObjectIdentity(
                        apiVersion: owner.apiVersion,
                        kind: owner.kind,
                        namespace: dependent.namespace,
                        name: owner.name,
                        uid: owner.uid
                    ),
                    owners: [],
                    dependents: [],
                    beingDeleted: false,
                    deletingDependents: false,
                    isVirtual: true
                )
                actions.attemptToDelete.append(owner.uid)
            }
            self.nodes[owner.uid]?.dependents.insert(dependent.uid)
            // A namespaced owner observed in another namespace than its dependent's can never be its owner.
            if let ownerNode = self.nodes[owner.uid], !ownerNode.isVirtual, !ownerNode.identity.namespace.isEmpty,
                ownerNode.identity.namespace != dependent.namespace
            {
                actions.invalidNamespaceOwnerReferences.append(
                    InvalidNamespaceOwnerReference(dependent: dependent, owner: owner)
                )
                // Checked so that it goes if no valid owner is left.
                if !actions.attemptToDelete.contains(dependent.uid) { actions.attemptToDelete.append(dependent.uid) }
            }
        }
    }

    /// ↔ `processTransitions`: deletion with the orphan finalizer orphans the dependents; deletion with the
    /// foregroundDeletion finalizer deletes them first.
    private mutating func transitions(
        uid: String,
        startsOrphaning: Bool,
        startsDeletingDependents: Bool,
        actions: inout Actions
    ) {
        if startsOrphaning {
            actions.attemptToOrphan.append(uid)
        }
        if startsDeletingDependents, let node = self.nodes[uid] {
            self.nodes[uid]?.deletingDependents = true
            actions.attemptToDelete.append(contentsOf: node.dependents.sorted())
            actions.attemptToDelete.append(uid)
        }
    }
}
