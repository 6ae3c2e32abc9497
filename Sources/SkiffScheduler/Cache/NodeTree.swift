import SkiffAPI
import SkiffAPIMachinery

/// Node names grouped by zone, listed by taking one node of each zone in turn, so that the first nodes a cycle
/// filters are spread over zones (↔ `internal/cache.nodeTree`).
struct NodeTree: Sendable {
    private var tree: [String: [String]] = [:]
    private var zones: [String] = []
    /// Every name in the tree, for the duplicate check.
    private var names: Set<String> = []
    private(set) var count = 0

    /// The zone key of a node: region and zone labels (current or the deprecated beta ones) (↔ `GetZoneKey`).
    static func zoneKey(_ node: CoreV1.Node) -> String {
        let labels = node.metadata.labels ?? [:]
        let region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? ""
        let zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? ""
        if region.isEmpty && zone.isEmpty { return "" }
        return region + ":\u{0}:" + zone
    }

    mutating func add(_ node: CoreV1.Node) {
        let zone = Self.zoneKey(node)
        let name = node.metadata.name ?? ""
        if self.tree[zone] != nil {
            guard !self.names.contains(name) || !(self.tree[zone]?.contains(name) ?? false) else { return }
            self.tree[zone]?.append(name)  // in place: no copy of the zone's list
        } else {
            self.zones.append(zone)
            self.tree[zone] = [name]
        }
        self.names.insert(name)
        self.count += 1
    }

    @discardableResult
    mutating func remove(_ node: CoreV1.Node) -> Bool {
        let zone = Self.zoneKey(node)
        let name = node.metadata.name ?? ""
        guard let index = self.tree[zone]?.firstIndex(of: name) else { return false }
        self.tree[zone]?.remove(at: index)
        if self.tree[zone]?.isEmpty ?? true {
            self.tree[zone] = nil
            self.zones.removeAll { $0 == zone }
        }
        if !self.tree.values.contains(where: { $0.contains(name) }) { self.names.remove(name) }
        self.count -= 1
        return true
    }

    mutating func update(old: CoreV1.Node?, new: CoreV1.Node) {
        if let old {
            if Self.zoneKey(old) == Self.zoneKey(new) { return }
            self.remove(old)
        }
        self.add(new)
    }

    /// All names, zones interleaved.
    func list() -> [String] {
        if self.zones.count <= 1 { return self.zones.first.flatMap { self.tree[$0] } ?? [] }
        var result: [String] = []
        result.reserveCapacity(self.count)
        var index = 0
        while result.count < self.count {
            for zone in self.zones {
                let names = self.tree[zone] ?? []
                if index < names.count { result.append(names[index]) }
            }
            index += 1
        }
        return result
    }
}
