/// What a leaf certificate must say: its subject, its names and what it may be used for.
///
/// ``CertificateAuthority/issue(_:now:)`` turns a request into an ``IssuedCertificate``;
/// ``ClusterPKI`` also uses it to decide whether a certificate found on disk still satisfies what is wanted. Later
/// issuers (the kubelet's TLS bootstrap, the controller manager's CSR signer) build requests the same way.
///
/// ## Topics
/// ### Creating requests
/// - ``serving(commonName:dnsNames:ipAddresses:)``
/// - ``client(commonName:organizations:)``
/// ### Properties
/// - ``usage-swift.property``
/// - ``commonName``
/// - ``organizations``
/// - ``dnsNames``
/// - ``ipAddresses``
public struct CertificateRequest: Sendable, Hashable {
    /// The extended key usage a leaf certificate is issued for.
    public struct Usage: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case serverAuth
            case clientAuth
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// TLS server authentication (`extendedKeyUsage serverAuth`).
        public static let serverAuth = Usage(.serverAuth)
        /// TLS client authentication (`extendedKeyUsage clientAuth`).
        public static let clientAuth = Usage(.clientAuth)

        /// `serverAuth` or `clientAuth`.
        public var description: String { self.base.rawValue }

        var isServerAuth: Bool { self.base == .serverAuth }
    }

    /// What the certificate may be used for.
    public var usage: Usage
    /// The subject common name: the user name of a client certificate.
    public var commonName: String
    /// The subject organizations: the groups of a client certificate.
    public var organizations: [String]
    /// DNS subject alternative names.
    public var dnsNames: [String]
    /// IP subject alternative names, as text (`127.0.0.1`, `::1`).
    public var ipAddresses: [String]

    /// Creates a request; prefer ``serving(commonName:dnsNames:ipAddresses:)`` and ``client(commonName:organizations:)``.
    public init(
        usage: Usage,
        commonName: String,
        organizations: [String] = [],
        dnsNames: [String] = [],
        ipAddresses: [String] = []
    ) {
        self.usage = usage
        self.commonName = commonName
        self.organizations = organizations
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
    }

    /// A TLS serving certificate for the given names.
    public static func serving(commonName: String, dnsNames: [String], ipAddresses: [String]) -> CertificateRequest {
        CertificateRequest(usage: .serverAuth, commonName: commonName, dnsNames: dnsNames, ipAddresses: ipAddresses)
    }

    /// A TLS client certificate: the API server reads `commonName` as the user and `organizations` as the groups.
    public static func client(commonName: String, organizations: [String]) -> CertificateRequest {
        CertificateRequest(usage: .clientAuth, commonName: commonName, organizations: organizations)
    }
}
