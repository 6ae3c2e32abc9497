import Logging
import SkiffAPIMachinery
import SkiffClient

/// What a reconcile asks of its work queue.
public enum ReconcileResult: Sendable, Hashable {
    /// Converged: forget the key's failures.
    case done
    /// Look again after a delay (content still going away, ...).
    case requeueAfter(Duration)
}

extension WorkQueue where Item == String {
    /// Runs `count` workers that take keys off the queue and reconcile them until the queue shuts down
    /// (↔ the `processNextWorkItem` loop of every upstream controller): success forgets the key's failures, an
    /// error re-adds it rate-limited, and a key is never reconciled by two workers at once.
    func runWorkers(
        _ count: Int,
        logger: Logger,
        _ reconcile: @escaping @Sendable (String) async throws -> ReconcileResult
    ) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(count, 1) {
                group.addTask {
                    while let key = await self.get() {
                        defer { self.done(key) }
                        do {
                            switch try await reconcile(key) {
                            case .done:
                                self.forget(key)
                            case .requeueAfter(let delay):
                                self.forget(key)
                                self.addAfter(key, delay)
                            }
                        } catch is CancellationError {
                            return
                        } catch {
                            logger.debug("Reconcile failed", metadata: ["key": "\(key)", "error": "\(error)"])
                            self.addRateLimited(key)
                        }
                    }
                }
            }
        }
    }
}

extension APIError {
    /// The create failed because the namespace is gone or going (↔ `IsNotFound || HasStatusCause(...,
    /// NamespaceTerminatingCause)`): nothing to retry.
    var isNamespaceGoneOrTerminating: Bool {
        self.reason == .notFound || (self.details?.causes ?? []).contains { $0.reason == "NamespaceTerminating" }
    }
}
