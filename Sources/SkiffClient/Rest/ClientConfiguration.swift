/// How a client reaches the API server and who it is (↔ client-go's `rest.Config`).
///
/// Loaded from a kubeconfig with ``KubeconfigFile`` or built from explicit PEM documents. ``HTTPSTransport`` is
/// made from it.
///
/// ## Topics
/// ### Making a configuration
/// - ``init(server:certificateAuthorityPEM:clientCertificatePEM:clientKeyPEM:bearerToken:insecureSkipTLSVerify:)``
/// - ``KubeconfigFile/clientConfiguration(context:)``
public struct ClientConfiguration: Sendable, Hashable {
    /// The server URL: `https://127.0.0.1:6443` (a path prefix is kept).
    public var server: String
    /// The CA bundle that verifies the server's certificate (PEM); `nil` uses the system's roots.
    public var certificateAuthorityPEM: String?
    /// The client certificate chain (PEM) for mutual TLS.
    public var clientCertificatePEM: String?
    /// The client certificate's private key (PEM).
    public var clientKeyPEM: String?
    /// A bearer token sent as `Authorization: Bearer …`.
    public var bearerToken: String?
    /// Skips verification of the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// The TLS server name to verify instead of the URL's host (kubeconfig `tls-server-name`).
    public var tlsServerName: String?
    /// The `User-Agent` header.
    public var userAgent: String
    /// Client-side throttling (upstream default: 5 QPS, burst 10).
    public var rateLimit: RateLimit

    public init(
        server: String,
        certificateAuthorityPEM: String? = nil,
        clientCertificatePEM: String? = nil,
        clientKeyPEM: String? = nil,
        bearerToken: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        userAgent: String = "skiff",
        rateLimit: RateLimit = .default
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.bearerToken = bearerToken
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.userAgent = userAgent
        self.rateLimit = rateLimit
    }
}

/// Client-side throttling of requests: a token bucket refilled at `qps` tokens a second, holding `burst`
/// (↔ `rest.Config.QPS` and `Burst`).
public struct RateLimit: Sendable, Hashable {
    /// Requests a second, on average; `nil` means unlimited.
    public var qps: Double?
    /// The most requests sent at once after an idle period.
    public var burst: Int

    public init(qps: Double?, burst: Int) {
        self.qps = qps
        self.burst = burst
    }

    /// Upstream's default for a REST client: 5 QPS, burst 10.
    public static let `default` = RateLimit(qps: 5, burst: 10)
    /// No throttling (in-process components, benchmarks).
    public static let unlimited = RateLimit(qps: nil, burst: 0)
}
