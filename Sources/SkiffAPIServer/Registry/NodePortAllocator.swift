import SkiffAPIMachinery
import SkiffStorage

/// Allocates Services' node ports from `--service-node-port-range` (default 30000-32767), one store key per port
/// (↔ upstream's `portallocator`, which keeps a bitmap instead; see ADR 0006).
///
/// The key `/registry/servicenodeports/<port>` holds the owning Service (namespace, name, uid). Creating it is
/// the reservation: the store's create-if-absent makes two concurrent allocations of one port impossible without
/// a lock, allocations of different ports never contend, and reservations survive restarts. It is not an API
/// resource; nothing but this allocator reads it.
struct NodePortAllocator: Sendable {
    static let keyPrefix = "/registry/servicenodeports/"

    let storage: any StorageBackend
    let range: ClosedRange<Int>

    /// The owner of a reserved port.
    struct Owner: Hashable, Sendable {
        var namespace: String
        var name: String
        var uid: String
    }

    func key(_ port: Int) -> String { Self.keyPrefix + String(port) }

    /// `30000-32767`, as upstream prints the range in messages.
    var rangeDescription: String { "\(self.range.lowerBound)-\(self.range.upperBound)" }

    /// Reserves `port` for `owner`; `false` when another Service holds it. Reserving a port the owner already
    /// holds succeeds.
    func reserve(_ port: Int, owner: Owner) async throws -> Bool {
        do {
            _ = try await self.storage.create(self.key(port), value: Self.encode(owner), lease: nil)
            return true
        } catch let error as StorageError where error.code == .keyExists {
            guard let current = try await self.storage.get(self.key(port)) else {
                return try await self.reserve(port, owner: owner)
            }
            return Self.decode(current.value)?.uid == owner.uid
        }
    }

    /// Whether `port` is free (a dry run's check).
    func isFree(_ port: Int) async throws -> Bool {
        try await self.storage.get(self.key(port)) == nil
    }

    /// Reserves a free port for `owner` (or, for a dry run, finds one without reserving it); `nil` when the range
    /// is full. Random probes first (cheap while the range is sparse), then a scan of what is allocated.
    func allocateNext(owner: Owner, dryRun: Bool) async throws -> Int? {
        for _ in 0..<16 {
            let port = Int.random(in: self.range)
            if try await self.take(port, owner: owner, dryRun: dryRun) { return port }
        }
        let taken = Set(try await self.allocated().keys)
        let start = Int.random(in: self.range)
        let candidates = Array(start...self.range.upperBound) + Array(self.range.lowerBound..<start)
        for port in candidates where !taken.contains(port) {
            if try await self.take(port, owner: owner, dryRun: dryRun) { return port }
        }
        return nil
    }

    /// Reserves `port` (or, for a dry run, checks that it is free).
    func take(_ port: Int, owner: Owner, dryRun: Bool) async throws -> Bool {
        if dryRun { return try await self.isFree(port) }
        return try await self.reserve(port, owner: owner)
    }

    /// Releases `port` if `uid` (the Service's) still holds it.
    func release(_ port: Int, uid: String) async {
        guard let current = try? await self.storage.get(self.key(port)),
            Self.decode(current.value)?.uid == uid
        else { return }
        _ = try? await self.storage.delete(self.key(port), expected: current.modRevision)
    }

    /// Every reserved port and its owner.
    func allocated() async throws -> [Int: Owner] {
        var result: [Int: Owner] = [:]
        for keyValue in try await self.storage.list(prefix: Self.keyPrefix).keyValues {
            guard let port = Int(keyValue.key.dropFirst(Self.keyPrefix.count)), let owner = Self.decode(keyValue.value)
            else { continue }
            result[port] = owner
        }
        return result
    }

    static func encode(_ owner: Owner) -> [UInt8] {
        let value: JSONValue = [
            "namespace": .string(owner.namespace), "name": .string(owner.name), "uid": .string(owner.uid),
        ]
        return value.serialized()
    }

    static func decode(_ bytes: [UInt8]) -> Owner? {
        guard let value = try? JSONValue.parse(bytes), let uid = value["uid"]?.stringValue else { return nil }
        return Owner(
            namespace: value["namespace"]?.stringValue ?? "",
            name: value["name"]?.stringValue ?? "",
            uid: uid
        )
    }
}
