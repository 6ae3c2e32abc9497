import Logging
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage
import Synchronization

/// Releases node ports and cluster IPs that no Service holds (↔ upstream's repair controllers,
/// `portallocator/controller.Repair` and `ipallocator/controller.RepairIPAddress`, run by the API server).
///
/// A Service write reserves first and stores the Service after; a crash (or a failed write whose release was lost)
/// between the two leaves a reservation nobody owns (ADR 0006). Each pass compares every reservation with the
/// Services: a node port key whose owner is gone (by namespace, name and uid) or no longer lists that port, an
/// IPAddress whose parent Service is gone or no longer has that address, is a suspect. A suspect is released only
/// when it is still one after ``passesBeforeRelease`` passes, so a reservation whose Service is being written right
/// now is never taken away (upstream waits the same way, `numRepairsBeforeLeakCleanup`).
final class ServiceAllocationRepair: Sendable {
    /// Upstream's interval between passes.
    static let defaultInterval = Duration.seconds(180)
    /// Passes a reservation must be seen unowned in before it is released.
    static let passesBeforeRelease = 3

    let storage: any StorageBackend
    let servicesPrefix: String
    let addressesPrefix: String?
    let nodePorts: NodePortAllocator
    let addresses: ServiceIPAllocator?
    let interval: Duration
    let logger: Logger
    private let suspects = Mutex<[String: Int]>([:])

    init(
        storage: any StorageBackend,
        servicesPrefix: String,
        addressesPrefix: String?,
        nodePorts: NodePortAllocator,
        addresses: ServiceIPAllocator?,
        interval: Duration = ServiceAllocationRepair.defaultInterval,
        logger: Logger
    ) {
        self.storage = storage
        self.servicesPrefix = servicesPrefix
        self.addressesPrefix = addressesPrefix
        self.nodePorts = nodePorts
        self.addresses = addresses
        self.interval = interval
        self.logger = logger
    }

    /// Repairs every interval until cancelled.
    func run() async throws {
        while true {
            try await Task.sleep(for: self.interval)
            do {
                _ = try await self.repair()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                self.logger.warning("Service allocation repair failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass; returns what it released (`nodeport/30080`, `ip/10.43.0.12`).
    func repair() async throws -> [String] {
        struct Holder {
            var uid: String
            var nodePorts: Set<Int>
            var addresses: Set<String>
        }
        var holders: [String: Holder] = [:]
        for keyValue in try await self.storage.list(prefix: self.servicesPrefix).keyValues {
            guard let stored = StoredObject(value: keyValue.value),
                let service = try? JSONValueDecoder().decode(CoreV1.Service.self, from: try JSONValue.parse(stored.json))
            else { continue }
            let spec = service.spec
            var ports = Set((spec?.ports ?? []).compactMap { $0.nodePort.map(Int.init) })
            if let health = spec?.healthCheckNodePort { ports.insert(Int(health)) }
            let addresses = Set((spec?.clusterIPs ?? []) + [spec?.clusterIP].compactMap { $0 })
            holders[(service.metadata.namespace ?? "") + "/" + (service.metadata.name ?? "")] = Holder(
                uid: service.metadata.uid ?? "",
                nodePorts: ports,
                addresses: addresses
            )
        }

        var unowned: [String: @Sendable () async -> Void] = [:]
        for (port, owner) in try await self.nodePorts.allocated() {
            let holder = holders[owner.namespace + "/" + owner.name]
            if holder?.uid == owner.uid, holder?.nodePorts.contains(port) == true { continue }
            let nodePorts = self.nodePorts
            unowned["nodeport/\(port)"] = { await nodePorts.release(port, uid: owner.uid) }
        }
        if let prefix = self.addressesPrefix, let allocator = self.addresses {
            for keyValue in try await self.storage.list(prefix: prefix).keyValues {
                guard let stored = StoredObject(value: keyValue.value),
                    let address = try? JSONValueDecoder().decode(
                        NetworkingV1.IPAddress.self,
                        from: try JSONValue.parse(stored.json)
                    ),
                    let name = address.metadata.name
                else { continue }
                // Only the allocator's own reservations: addresses of Services.
                let parent = address.spec.parentRef
                guard (parent.group ?? "").isEmpty, parent.resource == "services" else { continue }
                let holder = holders[(parent.namespace ?? "") + "/" + parent.name]
                if holder?.addresses.contains(name) == true { continue }
                unowned["ip/\(name)"] = { await allocator.release(name) }
            }
        }

        let due = self.suspects.withLock { suspects -> [String] in
            suspects = suspects.filter { unowned[$0.key] != nil }
            for key in unowned.keys { suspects[key, default: 0] += 1 }
            let due = suspects.filter { $0.value >= Self.passesBeforeRelease }.map(\.key).sorted()
            for key in due { suspects[key] = nil }
            return due
        }
        for key in due {
            await unowned[key]!()
            self.logger.notice("Released an allocation no Service holds", metadata: ["allocation": "\(key)"])
        }
        return due
    }
}
