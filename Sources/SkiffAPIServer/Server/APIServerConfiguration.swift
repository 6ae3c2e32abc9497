/// What the API server needs to know about its cluster and itself (↔ kube-apiserver's completed options).
public struct APIServerConfiguration: Sendable {
    /// `host:port` clients reach the server at, reported in `/api`'s `serverAddressByClientCIDRs`.
    public var advertiseAddress: String
    /// The address the API server is reached at from the cluster (the `kubernetes` Service's endpoint).
    public var advertiseIP: String
    /// The HTTPS port, also the `kubernetes` Service's target port.
    public var securePort: Int
    /// The service CIDR (`10.43.0.0/16`); its first address is the `kubernetes` Service's cluster IP.
    public var serviceCIDR: String
    /// The pod CIDR, recorded for the components that allocate node ranges.
    public var clusterCIDR: String
    /// Skiff's own build, reported in `/version`'s `gitCommit` and `buildDate`.
    public var buildCommit: String
    public var buildDate: String
    /// How often an idle watch that asked for bookmarks gets one (upstream: about a minute).
    public var watchBookmarkInterval: Duration
    /// Requests with larger bodies get 413 (upstream: 3 MiB).
    public var maxRequestBodyBytes: Int
    /// The ports NodePort and LoadBalancer Services get (`--service-node-port-range`, upstream 30000-32767).
    public var serviceNodePortRange: ClosedRange<Int>
    /// Admission plugins to run besides the default ones (`--enable-admission-plugins`); upstream's order applies
    /// whatever the order given.
    public var enableAdmissionPlugins: [String]
    /// Default admission plugins not to run (`--disable-admission-plugins`).
    public var disableAdmissionPlugins: [String]
    /// Whether pod creation requires the `default` ServiceAccount to exist, as upstream. On where a
    /// controller-manager creates those accounts (`skiff server`); off by default so that an API server alone
    /// (`skiff apiserver`, tests) still admits pods, treating the missing account as one with no settings.
    public var requireDefaultServiceAccount = false
    /// Whether the handler calls ``ProcessMemory/releaseStartupPages()`` once the server is ready. For the
    /// executable that owns the process (`skiff server`); off by default, so that a server embedded in tests or
    /// benchmarks leaves the process alone.
    public var releasesStartupPagesWhenReady = false
    /// How long open connections may drain once shutdown begins (watches end at once) before the server closes
    /// them, so a client holding a request open cannot keep the process alive.
    public var shutdownDrainTimeout: Duration = .seconds(3)

    public init(
        advertiseAddress: String = "127.0.0.1:6443",
        advertiseIP: String = "127.0.0.1",
        securePort: Int = 6443,
        serviceCIDR: String = "10.43.0.0/16",
        clusterCIDR: String = "10.42.0.0/16",
        buildCommit: String = "unknown",
        buildDate: String = "1970-01-01T00:00:00Z",
        watchBookmarkInterval: Duration = .seconds(60),
        maxRequestBodyBytes: Int = 3 * 1024 * 1024,
        serviceNodePortRange: ClosedRange<Int> = 30000...32767,
        enableAdmissionPlugins: [String] = [],
        disableAdmissionPlugins: [String] = []
    ) {
        self.advertiseAddress = advertiseAddress
        self.advertiseIP = advertiseIP
        self.securePort = securePort
        self.serviceCIDR = serviceCIDR
        self.clusterCIDR = clusterCIDR
        self.buildCommit = buildCommit
        self.buildDate = buildDate
        self.watchBookmarkInterval = watchBookmarkInterval
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.serviceNodePortRange = serviceNodePortRange
        self.enableAdmissionPlugins = enableAdmissionPlugins
        self.disableAdmissionPlugins = disableAdmissionPlugins
    }

    /// The admission plugins that run, in order; throws for a plugin name Skiff does not know (for option
    /// validation: the handler leaves unknown names out).
    public func admissionPluginNames() throws -> [String] {
        try AdmissionPlugins.enabled(enable: self.enableAdmissionPlugins, disable: self.disableAdmissionPlugins)
    }

    /// The first usable address of the service CIDR (`10.43.0.1`), or `nil` when the CIDR is not IPv4.
    public var firstServiceIP: String? {
        let parts = self.serviceCIDR.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...30).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        let address = octets.reduce(0) { $0 << 8 | $1 }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        let first = (address & mask) + 1
        return [24, 16, 8, 0].map { String((first >> UInt32($0)) & 0xFF) }.joined(separator: ".")
    }
}
