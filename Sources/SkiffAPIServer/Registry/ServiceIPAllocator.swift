#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery
import SkiffStorage

/// Allocates Services' cluster IPs from the service CIDR, one `networking.k8s.io/v1` IPAddress object per address
/// (↔ upstream's IPAddress-based allocator, `pkg/registry/core/service/ipallocator`).
///
/// Creating the IPAddress is the reservation: the store's create-if-absent makes two concurrent allocations of one
/// address impossible, and the reservation survives restarts. Deleting the Service releases it.
struct ServiceIPAllocator: Sendable {
    let addresses: ResourceStore
    let network: UInt32
    let size: UInt32

    init?(addresses: ResourceStore, cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = UInt32(parts[1]), (8...30).contains(prefix),
            let base = Self.parse(String(parts[0]))
        else { return nil }
        self.addresses = addresses
        self.size = UInt32(1) << (32 - prefix)
        self.network = base & ~(self.size - 1)
    }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 != nil && $0! < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | $1! }
    }

    static func format(_ address: UInt32) -> String {
        [24, 16, 8, 0].map { String((address >> UInt32($0)) & 0xFF) }.joined(separator: ".")
    }

    /// Fills `spec.clusterIP(s)` of a Service that needs one, reserving the address unless `dryRun`; returns the
    /// address reserved (`nil` for a headless Service or a dry run). Throws 422 for an address outside the range or
    /// already in use.
    func allocate(_ spec: inout CoreV1.ServiceSpec, namespace: String, service name: String, dryRun: Bool) async throws
        -> String?
    {
        let requested = spec.clusterIP ?? spec.clusterIPs?.first ?? ""
        var reserved: String? = nil
        if requested == "None" {
            spec.clusterIP = "None"
            spec.clusterIPs = ["None"]
        } else if !requested.isEmpty {
            guard let address = Self.parse(requested), address & ~(self.size - 1) == self.network,
                address != self.network, address != self.network + self.size - 1
            else {
                throw Self.invalid(name, requested, "provided IP is not in the valid range. The range of valid IPs is \(Self.format(self.network))/\(32 - self.size.trailingZeroBitCount)")
            }
            let available = try await self.take(requested, namespace: namespace, service: name, dryRun: dryRun)
            guard available else {
                throw Self.invalid(name, requested, "failed to allocate IP \(requested): provided IP is already allocated")
            }
            spec.clusterIP = requested
            spec.clusterIPs = [requested]
            reserved = dryRun ? nil : requested
        } else {
            var allocated: String? = nil
            for _ in 0..<64 {
                // Upstream keeps the lower part of the range for static addresses; pick from the whole range
                // minus the network, broadcast and first address (the kubernetes Service's).
                let offset = UInt32.random(in: 2...(self.size - 2))
                let candidate = Self.format(self.network + offset)
                let available = try await self.take(candidate, namespace: namespace, service: name, dryRun: dryRun)
                if available {
                    allocated = candidate
                    break
                }
            }
            guard let allocated else {
                throw APIError.internalError("failed to allocate a service IP: range is full")
            }
            spec.clusterIP = allocated
            spec.clusterIPs = [allocated]
            reserved = dryRun ? nil : allocated
        }
        if (spec.ipFamilies ?? []).isEmpty { spec.ipFamilies = ["IPv4"] }
        if (spec.ipFamilyPolicy ?? "").isEmpty { spec.ipFamilyPolicy = "SingleStack" }
        return reserved
    }

    /// Releases an address (its IPAddress object).
    func release(_ address: String) async {
        guard address != "None", !address.isEmpty else { return }
        _ = try? await self.addresses.delete(
            namespace: nil,
            name: address,
            options: MetaV1.DeleteOptions(),
            dryRun: false,
            runAdmission: false
        )
    }

    /// Reserves `address` (or, for a dry run, checks that it is free); `false` when it is taken.
    private func take(_ address: String, namespace: String, service: String, dryRun: Bool) async throws -> Bool {
        if dryRun { return try await self.addresses.current(namespace: nil, name: address) == nil }
        return try await self.reserve(address, namespace: namespace, service: service)
    }

    private func reserve(_ address: String, namespace: String, service: String) async throws -> Bool {
        let object = NetworkingV1.IPAddress(
            metadata: MetaV1.ObjectMeta(
                name: address,
                labels: [
                    "ipaddress.kubernetes.io/ip-family": "IPv4",
                    "ipaddress.kubernetes.io/managed-by": "ipallocator.k8s.io",
                ]
            ),
            spec: NetworkingV1.IPAddressSpec(
                parentRef: NetworkingV1.ParentReference(group: "", resource: "services", namespace: namespace, name: service)
            )
        )
        do {
            _ = try await self.addresses.create(object, namespace: nil, dryRun: false, runAdmission: false)
            return true
        } catch let error as APIError where error.reason == .alreadyExists {
            return false
        }
    }

    static func invalid(_ name: String, _ address: String, _ detail: String) -> APIError {
        APIError.invalid(
            group: "",
            kind: "Service",
            name: name,
            causes: [
                APIError.Cause(
                    field: "spec.clusterIPs",
                    reason: "FieldValueInvalid",
                    message: "spec.clusterIPs: Invalid value: []string{\"\(address)\"}: \(detail)"
                )
            ]
        )
    }
}
