public import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// A ``SchedulerAPIClient`` that records every call instead of reaching an API server: the test double and the
/// algorithm-only benchmark's client. ``onBind`` lets a test or benchmark feed the binding back as the informer
/// would (a pod update with `spec.nodeName` set).
public final class InMemorySchedulerClient: SchedulerAPIClient {
    /// A recorded binding.
    public struct Binding: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var nodeName: String
    }

    /// A recorded status patch.
    public struct StatusPatch: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var condition: CoreV1.PodCondition?
        public var nominatedNodeName: String?
    }

    private struct State {
        var bindings: [Binding] = []
        var bindingCount = 0
        var patches: [StatusPatch] = []
        var deletions: [String] = []
        var events: [SchedulerEvent] = []
        var failBindings: Set<String> = []
    }

    private let state = Mutex(State())
    /// Whether calls are kept (the benchmark only counts).
    let recording: Bool
    /// Called after each successful bind.
    public let onBind: (@Sendable (Binding) -> Void)?
    /// Called after each pod deletion (preemption victims), with the pod's namespace and name.
    public let onDelete: (@Sendable (_ namespace: String, _ name: String) -> Void)?

    /// Makes a client; `recording: false` keeps only counts.
    public init(
        recording: Bool = true,
        onBind: (@Sendable (Binding) -> Void)? = nil,
        onDelete: (@Sendable (_ namespace: String, _ name: String) -> Void)? = nil
    ) {
        self.recording = recording
        self.onBind = onBind
        self.onDelete = onDelete
    }

    /// Makes bindings of `namespace/name` fail (tests of the binding failure path).
    public func failBinding(of key: String) {
        self.state.withLock { _ = $0.failBindings.insert(key) }
    }

    public func bind(namespace: String, name: String, uid: String, nodeName: String) async throws {
        let binding = Binding(namespace: namespace, name: name, nodeName: nodeName)
        try self.state.withLock { state in
            if state.failBindings.contains(namespace + "/" + name) {
                throw SchedulerError("binding rejected")
            }
            state.bindingCount += 1
            if self.recording { state.bindings.append(binding) }
        }
        self.onBind?(binding)
    }

    public func patchPodStatus(
        namespace: String,
        name: String,
        condition: CoreV1.PodCondition?,
        nominatedNodeName: String?
    ) async throws {
        guard self.recording else { return }
        self.state.withLock {
            $0.patches.append(
                StatusPatch(namespace: namespace, name: name, condition: condition, nominatedNodeName: nominatedNodeName)
            )
        }
    }

    public func deletePod(namespace: String, name: String, uid: String) async throws {
        self.state.withLock { $0.deletions.append(namespace + "/" + name) }
        self.onDelete?(namespace, name)
    }

    public func recordEvent(_ event: SchedulerEvent) async {
        guard self.recording else { return }
        self.state.withLock { $0.events.append(event) }
    }

    /// The bindings so far.
    public var bindings: [Binding] { self.state.withLock { $0.bindings } }
    /// How many bindings succeeded.
    public var bindingCount: Int { self.state.withLock { $0.bindingCount } }
    /// The status patches so far.
    public var statusPatches: [StatusPatch] { self.state.withLock { $0.patches } }
    /// The pods deleted so far (`namespace/name`).
    public var deletions: [String] { self.state.withLock { $0.deletions } }
    /// The events so far.
    public var events: [SchedulerEvent] { self.state.withLock { $0.events } }
}
