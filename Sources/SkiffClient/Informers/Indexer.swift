public import SkiffAPIMachinery
import Synchronization

/// An index function: the index values of an object (pods by `spec.nodeName`: `[pod.spec?.nodeName ?? ""]`)
/// (↔ `cache.IndexFunc`). It must depend on the object alone: the indexer computes an old object's values again to
/// take them out of the index.
public typealias IndexFunction<Object> = @Sendable (Object) -> [String]

/// A thread-safe store of objects by key with secondary indices (↔ client-go's `cache.Indexer` over a
/// `threadSafeMap`).
///
/// Reads never suspend (a `Mutex`); values are returned as copies, so nobody mutates the cache. Every indexer has
/// the ``namespaceIndex``; more are added with ``addIndex(_:_:)``.
///
/// Each object is kept in its own allocation, so the table's free slots cost a reference rather than a whole
/// object: generated API types are large values (a `CoreV1.Pod` is well over a kilobyte before any of its
/// arrays or strings), and a hash table keeps about a quarter of its slots free.
///
/// ## Topics
/// - ``get(_:)``
/// - ``list()``
/// - ``list(namespace:)``
/// - ``byIndex(_:_:)``
/// - ``addIndex(_:_:)``
public final class Indexer<Object: APIObject>: Sendable {
    /// The name of the built-in index by `metadata.namespace` (↔ `cache.NamespaceIndex`).
    public static var namespaceIndex: String { "namespace" }

    /// One cached object in its own allocation (see ``Indexer``).
    final class Entry: Sendable {
        let object: Object
        init(_ object: Object) { self.object = object }
    }

    struct State {
        var objects: [ObjectKey: Entry] = [:]
        var functions: [String: IndexFunction<Object>] = [:]
        /// index name → index value → keys. An object's own values are not kept: index functions are pure, so
        /// update and delete compute the old object's values again (as client-go's `threadSafeMap` does), which
        /// saves a dictionary and an array per object.
        var indices: [String: [String: Set<ObjectKey>]] = [:]
    }

    let state: Mutex<State>

    public init() {
        var state = State()
        state.functions[Self.namespaceIndex] = { object in [object.metadata.namespace ?? ""] }
        self.state = Mutex(state)
    }

    /// Adds an index; existing objects are indexed at once.
    public func addIndex(_ name: String, _ function: @escaping IndexFunction<Object>) {
        self.state.withLock { state in
            state.functions[name] = function
            state.indices[name] = [:]
            for (key, entry) in state.objects {
                for value in function(entry.object) { state.indices[name, default: [:]][value, default: []].insert(key) }
            }
        }
    }

    /// The object with `key`; `nil` on a miss.
    public func get(_ key: ObjectKey) -> Object? {
        self.state.withLock { $0.objects[key]?.object }
    }

    /// Every object, in no particular order.
    public func list() -> [Object] {
        self.state.withLock { $0.objects.values.map(\.object) }
    }

    /// The keys of every object.
    public func keys() -> [ObjectKey] {
        self.state.withLock { Array($0.objects.keys) }
    }

    /// How many objects the cache holds.
    public var count: Int { self.state.withLock { $0.objects.count } }

    /// The objects in `namespace` (`nil`: all).
    public func list(namespace: String?) -> [Object] {
        guard let namespace, !namespace.isEmpty else { return self.list() }
        return self.byIndex(Self.namespaceIndex, namespace)
    }

    /// The objects whose index `name` has `value` (↔ `ByIndex`); empty for an unknown index.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        self.state.withLock { state in
            guard let keys = state.indices[name]?[value] else { return [] }
            return keys.compactMap { state.objects[$0]?.object }
        }
    }

    /// The keys whose index `name` has `value`.
    public func keys(index name: String, value: String) -> [ObjectKey] {
        self.state.withLock { Array($0.indices[name]?[value] ?? []) }
    }

    // MARK: Writing (the reflector's side)

    /// Stores `object`; returns the state it replaced.
    @discardableResult
    func upsert(_ object: Object) -> Object? {
        self.state.withLock { state in Self.upsert(object, key: object.key, in: &state) }
    }

    /// Removes the object with `key`; returns it.
    @discardableResult
    func remove(_ key: ObjectKey) -> Object? {
        self.state.withLock { state in Self.remove(key, in: &state) }
    }

    /// Replaces the whole content with `objects`; returns what changed: previous states of kept keys and the
    /// objects that vanished.
    func replace(_ objects: [Object]) -> (previous: [ObjectKey: Object], removed: [Object]) {
        self.state.withLock { state in
            var previous: [ObjectKey: Object] = [:]
            var seen = Set<ObjectKey>()
            seen.reserveCapacity(objects.count)
            for object in objects {
                let key = object.key
                seen.insert(key)
                if let old = Self.upsert(object, key: key, in: &state) { previous[key] = old }
            }
            var removed: [Object] = []
            for key in state.objects.keys where !seen.contains(key) {
                if let old = Self.remove(key, in: &state) { removed.append(old) }
            }
            return (previous, removed)
        }
    }

    private static func upsert(_ object: Object, key: ObjectKey, in state: inout State) -> Object? {
        let old = state.objects.updateValue(Entry(object), forKey: key)?.object
        for (name, function) in state.functions {
            let new = function(object)
            let previous = old.map(function) ?? []
            if previous == new { continue }
            for value in previous where !new.contains(value) {
                Self.removeKey(key, index: name, value: value, in: &state)
            }
            for value in new { state.indices[name, default: [:]][value, default: []].insert(key) }
        }
        return old
    }

    private static func remove(_ key: ObjectKey, in state: inout State) -> Object? {
        guard let old = state.objects.removeValue(forKey: key)?.object else { return nil }
        for (name, function) in state.functions {
            for value in function(old) { Self.removeKey(key, index: name, value: value, in: &state) }
        }
        return old
    }

    /// Removes `key` from one index value's set, and the value once no key has it.
    private static func removeKey(_ key: ObjectKey, index name: String, value: String, in state: inout State) {
        state.indices[name]?[value]?.remove(key)
        if state.indices[name]?[value]?.isEmpty == true { state.indices[name]?[value] = nil }
    }
}

/// Synchronous, read-only access to an informer's cache (↔ client-go's generated listers).
///
/// ```swift
/// guard let pod = pods.get(key) else { return .done }   // a miss is nil
/// let onNode = pods.byIndex("nodeName", "node-1")
/// ```
public struct Lister<Object: APIObject>: Sendable {
    let indexer: Indexer<Object>

    public init(indexer: Indexer<Object>) {
        self.indexer = indexer
    }

    /// The object with `key`.
    public func get(_ key: ObjectKey) -> Object? { self.indexer.get(key) }

    /// The object named `name` in `namespace`.
    public func get(namespace: String?, name: String) -> Object? {
        self.indexer.get(ObjectKey(namespace: namespace, name: name))
    }

    /// The objects in `namespace` (`nil`: all) whose labels match `selector`.
    public func list(namespace: String? = nil, selector: Labels.Selector = .everything) -> [Object] {
        let objects = self.indexer.list(namespace: namespace)
        if selector.isEmpty { return objects }
        return objects.filter { selector.matches($0.metadata.labels ?? [:]) }
    }

    /// The objects whose index `name` has `value`.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        self.indexer.byIndex(name, value)
    }
}
