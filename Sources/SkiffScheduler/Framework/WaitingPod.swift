import Synchronization

/// A pod parked at Permit until every waiting plugin allows it, one rejects it, or a timeout does
/// (↔ `framework.WaitingPod`).
public final class WaitingPod: Sendable {
    /// The pod.
    public let pod: PodInfo

    private struct State {
        var pendingPlugins: Set<String>
        var result: PluginStatus?
        var continuation: CheckedContinuation<PluginStatus, Never>?
    }

    private let state: Mutex<State>

    init(pod: PodInfo, plugins: Set<String>) {
        self.pod = pod
        self.state = Mutex(State(pendingPlugins: plugins, result: nil, continuation: nil))
    }

    /// The plugins that have not allowed the pod yet.
    public var pendingPlugins: [String] { self.state.withLock { Array($0.pendingPlugins) } }

    /// `plugin` allows the pod; once no plugin is pending, binding goes on.
    public func allow(_ plugin: String) {
        self.state.withLock { state in
            state.pendingPlugins.remove(plugin)
            if state.pendingPlugins.isEmpty { Self.finish(&state, .success) }
        }
    }

    /// `plugin` rejects the pod with `message`.
    public func reject(_ plugin: String, message: String) {
        self.state.withLock { state in
            Self.finish(&state, PluginStatus(.unschedulable, reasons: [message], plugin: plugin))
        }
    }

    private static func finish(_ state: inout State, _ status: PluginStatus) {
        guard state.result == nil else { return }
        state.result = status
        state.continuation?.resume(returning: status)
        state.continuation = nil
    }

    /// Waits for the outcome.
    func wait() async -> PluginStatus {
        await withCheckedContinuation { continuation in
            self.state.withLock { state in
                if let result = state.result {
                    continuation.resume(returning: result)
                } else {
                    state.continuation = continuation
                }
            }
        }
    }
}
