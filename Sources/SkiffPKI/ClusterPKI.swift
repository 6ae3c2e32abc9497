public import Foundation
import X509

/// The certificates `skiff server` needs, kept in one directory: the cluster CA, the API server's serving certificate
/// and the admin client certificate.
///
/// ``loadOrCreate(directory:hostnames:ipAddresses:now:)`` creates what is missing on first start and reuses it
/// afterwards, as k3s does under `server/tls` and kubeadm's certs phase does under `/etc/kubernetes/pki`:
///
/// | file | contents |
/// | --- | --- |
/// | `ca.crt`, `ca.key` | the cluster CA (``CertificateAuthority``), reused once created |
/// | `serving-kube-apiserver.crt`, `.key` | the API server's serving certificate (CN `kube-apiserver`) |
/// | `client-admin.crt`, `.key` | the admin client certificate (CN `system:admin`, O `system:masters`) |
///
/// The directory is made mode 0700, keys are written 0600 and certificates 0644, each atomically. A leaf is
/// re-issued when it is missing or unreadable, is not signed by the CA, lacks a requested name, or expires within
/// ``RenewalPolicy/renewalWindow`` (see ``RenewalPolicy``). The CA is never replaced: remove the directory to start
/// over, which invalidates every certificate and kubeconfig issued from it.
///
/// ## Topics
/// ### Loading
/// - ``loadOrCreate(directory:hostnames:ipAddresses:now:)``
/// - ``defaultServingNames(hostName:hostAddresses:serviceIP:)``
/// ### Certificates
/// - ``certificateAuthority``
/// - ``serving``
/// - ``admin``
/// - ``loadOrIssue(_:name:now:)``
/// ### Files
/// - ``directory``
/// - ``paths``
/// - ``Paths``
/// - ``outcomes``
/// - ``Outcome``
public struct ClusterPKI: Sendable {
    /// The file paths of the certificates and keys in a PKI directory.
    public struct Paths: Sendable, Hashable {
        /// `ca.crt`.
        public var certificateAuthorityCertificate: String
        /// `ca.key`.
        public var certificateAuthorityKey: String
        /// `serving-kube-apiserver.crt`.
        public var servingCertificate: String
        /// `serving-kube-apiserver.key`.
        public var servingKey: String
        /// `client-admin.crt`.
        public var adminCertificate: String
        /// `client-admin.key`.
        public var adminKey: String

        /// The paths inside `directory`.
        public init(directory: String) {
            let join = { (name: String) in URL(fileURLWithPath: directory).appendingPathComponent(name).path }
            self.certificateAuthorityCertificate = join("ca.crt")
            self.certificateAuthorityKey = join("ca.key")
            self.servingCertificate = join("serving-kube-apiserver.crt")
            self.servingKey = join("serving-kube-apiserver.key")
            self.adminCertificate = join("client-admin.crt")
            self.adminKey = join("client-admin.key")
        }
    }

    /// What ``ClusterPKI/loadOrCreate(directory:hostnames:ipAddresses:now:)`` did with one certificate: for the caller
    /// to log.
    public struct Outcome: Sendable, Hashable, CustomStringConvertible {
        /// The certificate file.
        public var path: String
        /// `true` when the certificate was read from disk and kept.
        public var reused: Bool
        /// Why it was (re-)created, such as `"it is missing"`; `nil` when ``reused``.
        public var reason: String?

        /// `reused <path>` or `created <path>: <reason>`.
        public var description: String {
            self.reused ? "reused \(self.path)" : "created \(self.path): \(self.reason ?? "")"
        }
    }

    /// The serving certificate's common name, as k3s names it.
    public static let servingCommonName = "kube-apiserver"
    /// The admin client certificate's user.
    public static let adminUser = "system:admin"
    /// The admin client certificate's group, bound to `cluster-admin` by the default RBAC policy.
    public static let adminGroup = "system:masters"

    /// The directory holding the files.
    public var directory: String
    /// The file paths.
    public var paths: Paths
    /// The cluster CA.
    public var certificateAuthority: CertificateAuthority
    /// The API server's serving certificate; its ``IssuedCertificate/chainPEM`` is what the server presents.
    public var serving: IssuedCertificate
    /// The admin client certificate, for the admin kubeconfig.
    public var admin: IssuedCertificate
    /// What was reused and what was created, CA first.
    public var outcomes: [Outcome]

    /// Loads the PKI in `directory`, creating the directory, the CA and any missing, stale or insufficient leaf
    /// certificate.
    ///
    /// - Parameters:
    ///   - directory: where the files live, such as `<data-dir>/server/tls`; created mode 0700 if missing.
    ///   - hostnames: the DNS names the serving certificate must cover.
    ///   - ipAddresses: the IP addresses the serving certificate must cover.
    ///   - now: the current time.
    /// - Throws: ``PKIError``: ``PKIError/Code-swift.struct/certificateAuthorityIncomplete`` when only one of
    ///   `ca.crt` and `ca.key` exists, ``PKIError/Code-swift.struct/certificateAuthorityExpired``, the errors of
    ///   ``CertificateAuthority/init(certificatePEM:privateKeyPEM:)`` for a damaged CA,
    ///   ``PKIError/Code-swift.struct/invalidIPAddress``, or ``PKIError/Code-swift.struct/fileSystem``.
    public static func loadOrCreate(
        directory: String,
        hostnames: [String],
        ipAddresses: [String],
        now: Date = Date()
    ) throws -> ClusterPKI {
        let paths = Paths(directory: directory)
        try FileStore.makeDirectory(directory, mode: 0o700, enforceMode: true)
        let (authority, authorityOutcome) = try self.loadOrGenerateAuthority(paths: paths, now: now)
        let (serving, servingOutcome) = try self.loadOrIssue(
            .serving(commonName: self.servingCommonName, dnsNames: hostnames, ipAddresses: ipAddresses),
            certificatePath: paths.servingCertificate,
            keyPath: paths.servingKey,
            authority: authority,
            now: now
        )
        let (admin, adminOutcome) = try self.loadOrIssue(
            .client(commonName: self.adminUser, organizations: [self.adminGroup]),
            certificatePath: paths.adminCertificate,
            keyPath: paths.adminKey,
            authority: authority,
            now: now
        )
        return ClusterPKI(
            directory: directory,
            paths: paths,
            certificateAuthority: authority,
            serving: serving,
            admin: admin,
            outcomes: [authorityOutcome, servingOutcome, adminOutcome]
        )
    }

    /// Loads `<name>.crt` and `<name>.key` from ``directory`` if they still satisfy `request`, otherwise issues them
    /// from ``certificateAuthority`` and writes them; for components that need more certificates from the same CA.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/invalidIPAddress``,
    ///   ``PKIError/Code-swift.struct/issuanceFailed`` or ``PKIError/Code-swift.struct/fileSystem``.
    public func loadOrIssue(_ request: CertificateRequest, name: String, now: Date = Date()) throws -> IssuedCertificate
    {
        let base = URL(fileURLWithPath: self.directory).appendingPathComponent(name).path
        return try Self.loadOrIssue(
            request,
            certificatePath: base + ".crt",
            keyPath: base + ".key",
            authority: self.certificateAuthority,
            now: now
        ).0
    }

    /// The serving certificate's names for an API server on `hostName`: `localhost`, the host name, the in-cluster
    /// names of the `kubernetes` Service, `127.0.0.1`, the host's addresses and the Service's cluster IP
    /// (the first address of the service CIDR).
    ///
    /// Empty strings are skipped, duplicates removed (IP addresses compared as addresses), order kept; a host name
    /// that is an IP address goes to `ipAddresses`.
    public static func defaultServingNames(
        hostName: String,
        hostAddresses: [String],
        serviceIP: String
    ) -> (dnsNames: [String], ipAddresses: [String]) {
        var dnsCandidates = ["localhost"]
        var ipCandidates = ["127.0.0.1"]
        if IPAddressParser.parse(hostName) != nil {
            ipCandidates.append(hostName)
        } else {
            dnsCandidates.append(hostName)
        }
        dnsCandidates += [
            "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
        ]
        ipCandidates += hostAddresses + [serviceIP]

        var seenNames: Set<String> = []
        let dnsNames = dnsCandidates.filter { !$0.isEmpty && seenNames.insert($0.lowercased()).inserted }
        var seenAddresses: Set<[UInt8]> = []
        var seenInvalid: Set<String> = []
        let ipAddresses = ipCandidates.filter { address in
            guard !address.isEmpty else { return false }
            // Keep an unparsable address, so that issuing reports it rather than silently dropping it.
            guard let bytes = IPAddressParser.parse(address) else { return seenInvalid.insert(address).inserted }
            return seenAddresses.insert(bytes).inserted
        }
        return (dnsNames, ipAddresses)
    }

    private static func loadOrGenerateAuthority(
        paths: Paths,
        now: Date
    ) throws -> (CertificateAuthority, Outcome) {
        let certificatePath = paths.certificateAuthorityCertificate
        let keyPath = paths.certificateAuthorityKey
        switch (FileStore.exists(certificatePath), FileStore.exists(keyPath)) {
        case (false, false):
            let authority = try CertificateAuthority.generate(
                commonName: "skiff-server-ca@\(Int(now.timeIntervalSince1970))",
                now: now
            )
            try FileStore.writeAtomically(authority.privateKeyPEM, to: keyPath, mode: 0o600)
            try FileStore.writeAtomically(authority.certificatePEM, to: certificatePath, mode: 0o644)
            return (authority, Outcome(path: certificatePath, reused: false, reason: "it is missing"))
        case (true, false), (false, true):
            let (present, missing) =
                FileStore.exists(certificatePath) ? (certificatePath, keyPath) : (keyPath, certificatePath)
            throw PKIError(
                code: .certificateAuthorityIncomplete,
                message: "'\(present)' exists but '\(missing)' does not; restore '\(missing)' from a backup, "
                    + "or remove '\(present)' to generate a new CA (which invalidates every certificate and "
                    + "kubeconfig issued from the old one).",
                path: missing
            )
        case (true, true):
            let authority: CertificateAuthority
            do {
                authority = try CertificateAuthority(
                    certificatePEM: FileStore.read(certificatePath),
                    privateKeyPEM: FileStore.read(keyPath)
                )
            } catch var error as PKIError {
                if error.path == nil {
                    let path = error.code == .invalidPrivateKey ? keyPath : certificatePath
                    error.path = path
                    error.message =
                        "'\(path)': \(error.message) Restore the CA files from a backup, or remove both "
                        + "'\(certificatePath)' and '\(keyPath)' to generate a new CA."
                }
                throw error
            }
            guard authority.certificate.notValidAfter > now else {
                throw PKIError(
                    code: .certificateAuthorityExpired,
                    message: "The cluster CA in '\(certificatePath)' expired at "
                        + "\(authority.certificate.notValidAfter); remove '\(certificatePath)' and '\(keyPath)' to "
                        + "generate a new CA, then redistribute kubeconfigs.",
                    path: certificatePath
                )
            }
            return (authority, Outcome(path: certificatePath, reused: true, reason: nil))
        }
    }

    private static func loadOrIssue(
        _ request: CertificateRequest,
        certificatePath: String,
        keyPath: String,
        authority: CertificateAuthority,
        now: Date
    ) throws -> (IssuedCertificate, Outcome) {
        let reason: String
        switch self.loadLeaf(certificatePath: certificatePath, keyPath: keyPath, authority: authority) {
        case .success(let existing):
            guard
                let renewal = RenewalPolicy.renewalReason(
                    for: existing,
                    request: request,
                    authority: authority,
                    now: now
                )
            else {
                return (existing, Outcome(path: certificatePath, reused: true, reason: nil))
            }
            reason = renewal
        case .failure(let failure):
            reason = failure.reason
        }
        let issued = try authority.issue(request, now: now)
        try FileStore.writeAtomically(issued.privateKeyPEM, to: keyPath, mode: 0o600)
        try FileStore.writeAtomically(issued.certificatePEM, to: certificatePath, mode: 0o644)
        return (issued, Outcome(path: certificatePath, reused: false, reason: reason))
    }

    private struct LoadFailure: Error {
        var reason: String
    }

    private static func loadLeaf(
        certificatePath: String,
        keyPath: String,
        authority: CertificateAuthority
    ) -> Result<IssuedCertificate, LoadFailure> {
        guard FileStore.exists(certificatePath) else { return .failure(LoadFailure(reason: "it is missing")) }
        guard FileStore.exists(keyPath) else { return .failure(LoadFailure(reason: "its key '\(keyPath)' is missing")) }
        do {
            let certificatePEM = try FileStore.read(certificatePath)
            let keyPEM = try FileStore.read(keyPath)
            let certificate = try PEMCoding.certificate(certificatePEM, describedAs: "'\(certificatePath)'")
            let key = try PEMCoding.privateKey(keyPEM, describedAs: "'\(keyPath)'")
            return .success(
                IssuedCertificate(
                    certificate: certificate,
                    privateKey: key,
                    certificatePEM: certificatePEM,
                    privateKeyPEM: keyPEM,
                    chainPEM: PEMCoding.concatenate(certificatePEM, authority.certificatePEM)
                )
            )
        } catch {
            return .failure(LoadFailure(reason: "it cannot be read: \(error)"))
        }
    }
}
