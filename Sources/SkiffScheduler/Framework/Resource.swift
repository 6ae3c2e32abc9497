public import SkiffAPIMachinery

/// Compute resources in the scheduler's integer units (↔ `framework.Resource`).
///
/// CPU is in millicores, memory and ephemeral storage in bytes (rounded up), and every other resource (extended
/// resources such as `example.com/gpu`, `hugepages-*`) is a scalar in its integer value.
public struct Resource: Sendable, Hashable {
    /// `cpu`, in millicores.
    public var milliCPU: Int64 = 0
    /// `memory`, in bytes.
    public var memory: Int64 = 0
    /// `ephemeral-storage`, in bytes.
    public var ephemeralStorage: Int64 = 0
    /// `pods`: the number of pods allowed (allocatable only).
    public var allowedPodNumber: Int64 = 0
    /// Every other resource by name.
    public var scalarResources: [String: Int64] = [:]

    /// Zero of everything.
    public init() {}

    /// Makes a resource set from the named values.
    public init(
        milliCPU: Int64 = 0,
        memory: Int64 = 0,
        ephemeralStorage: Int64 = 0,
        allowedPodNumber: Int64 = 0,
        scalarResources: [String: Int64] = [:]
    ) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.allowedPodNumber = allowedPodNumber
        self.scalarResources = scalarResources
    }

    /// Reads a `ResourceList` (`{"cpu": "2", "memory": "4Gi"}`).
    public init(_ list: [String: Quantity]?) {
        guard let list else { return }
        for (name, quantity) in list {
            self.add(name: name, quantity)
        }
    }

    /// The resource names of the well-known kinds.
    public enum Name {
        public static let cpu = "cpu"
        public static let memory = "memory"
        public static let ephemeralStorage = "ephemeral-storage"
        public static let pods = "pods"
    }

    /// Adds one named quantity.
    public mutating func add(name: String, _ quantity: Quantity) {
        switch name {
        case Name.cpu: self.milliCPU += quantity.milliValue
        case Name.memory: self.memory += quantity.value
        case Name.ephemeralStorage: self.ephemeralStorage += quantity.value
        case Name.pods: self.allowedPodNumber += quantity.value
        default: self.scalarResources[name, default: 0] += quantity.value
        }
    }

    /// Adds `other` (not `allowedPodNumber`, as upstream's `Add` of a pod's requests).
    public mutating func add(_ other: Resource) {
        self.milliCPU += other.milliCPU
        self.memory += other.memory
        self.ephemeralStorage += other.ephemeralStorage
        self.allowedPodNumber += other.allowedPodNumber
        if !other.scalarResources.isEmpty {
            for (name, value) in other.scalarResources {
                self.scalarResources[name, default: 0] += value
            }
        }
    }

    /// Subtracts `other`.
    public mutating func subtract(_ other: Resource) {
        self.milliCPU -= other.milliCPU
        self.memory -= other.memory
        self.ephemeralStorage -= other.ephemeralStorage
        self.allowedPodNumber -= other.allowedPodNumber
        if !other.scalarResources.isEmpty {
            for (name, value) in other.scalarResources {
                self.scalarResources[name, default: 0] -= value
            }
        }
    }

    /// Raises every field to at least `other`'s value (↔ `SetMaxResource`).
    public mutating func formMax(_ other: Resource) {
        self.milliCPU = max(self.milliCPU, other.milliCPU)
        self.memory = max(self.memory, other.memory)
        self.ephemeralStorage = max(self.ephemeralStorage, other.ephemeralStorage)
        self.allowedPodNumber = max(self.allowedPodNumber, other.allowedPodNumber)
        for (name, value) in other.scalarResources {
            self.scalarResources[name] = max(self.scalarResources[name] ?? 0, value)
        }
    }

    /// The value of a named resource.
    public func value(of name: String) -> Int64 {
        switch name {
        case Name.cpu: self.milliCPU
        case Name.memory: self.memory
        case Name.ephemeralStorage: self.ephemeralStorage
        case Name.pods: self.allowedPodNumber
        default: self.scalarResources[name] ?? 0
        }
    }

    /// `true` when every field is zero.
    public var isZero: Bool {
        self.milliCPU == 0 && self.memory == 0 && self.ephemeralStorage == 0 && self.allowedPodNumber == 0
            && self.scalarResources.values.allSatisfy { $0 == 0 }
    }
}

/// Defaults the scheduler assumes for containers that request nothing, when spreading by score (↔ `schedutil`).
public enum NonZeroDefaults {
    /// 100 millicores (↔ `DefaultMilliCPURequest`).
    public static let milliCPU: Int64 = 100
    /// 200 MB (↔ `DefaultMemoryRequest`, 200 × 1024 × 1024).
    public static let memory: Int64 = 200 * 1024 * 1024
}
