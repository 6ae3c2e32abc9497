import Crypto
public import Foundation
import SwiftASN1
public import X509

/// A certificate authority: a self-signed CA certificate and its private key, which signs leaf certificates.
///
/// Mirrors k3s's cluster CA (`pkg/util/certs`, `dynamiclistener/factory`) and kubeadm's `ca.crt`/`ca.key`: an ECDSA
/// P-256 key, ten years of validity, `CA:TRUE` basic constraints (critical), key usage `keyCertSign`,
/// `digitalSignature` and `cRLSign` (critical), and a subject key identifier. Leaves it issues are valid for one
/// year, carry an authority key identifier and, for serving certificates, DNS and IP subject alternative names.
///
/// ```swift
/// let ca = try CertificateAuthority.generate(commonName: "skiff-server-ca@1700000000", now: Date())
/// let admin = try ca.issueClientCertificate(commonName: "system:admin", organizations: ["system:masters"], now: Date())
/// ```
///
/// ## Topics
/// ### Creating a CA
/// - ``generate(commonName:now:)``
/// - ``init(certificatePEM:privateKeyPEM:)``
/// ### Issuing certificates
/// - ``issueServingCertificate(commonName:dnsNames:ipAddresses:now:)``
/// - ``issueClientCertificate(commonName:organizations:now:)``
/// - ``issue(_:now:)``
/// ### Checking certificates
/// - ``isIssuer(of:)``
/// ### Validity
/// - ``validity``
/// - ``leafValidity``
/// - ``clockSkewAllowance``
public struct CertificateAuthority: Sendable, Hashable {
    /// How long a generated CA certificate is valid: ten years, as in k3s and kubeadm.
    public static let validity: TimeInterval = 3650 * 24 * 3600
    /// How long an issued leaf certificate is valid: one year, as in k3s and kubeadm.
    public static let leafValidity: TimeInterval = 365 * 24 * 3600
    /// How far before `now` certificates become valid, so that peers with slightly slow clocks accept them.
    public static let clockSkewAllowance: TimeInterval = 5 * 60

    /// The CA certificate.
    public var certificate: Certificate
    /// The CA's private key.
    public var privateKey: Certificate.PrivateKey
    /// ``certificate``, PEM encoded: the contents of `ca.crt`.
    public var certificatePEM: String
    /// ``privateKey``, PEM encoded: the contents of `ca.key`.
    public var privateKeyPEM: String

    private init(
        certificate: Certificate,
        privateKey: Certificate.PrivateKey,
        certificatePEM: String,
        privateKeyPEM: String
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// Generates a new CA with a fresh ECDSA P-256 key, valid for ``validity`` from `now`.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/issuanceFailed`` if the certificate cannot be built.
    public static func generate(commonName: String, now: Date) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        do {
            let name = try DistinguishedName { CommonName(commonName) }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: now - self.clockSkewAllowance,
                notValidAfter: now + self.validity,
                issuer: name,
                subject: name,
                extensions: extensions,
                issuerPrivateKey: key
            )
            return CertificateAuthority(
                certificate: certificate,
                privateKey: key,
                certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                privateKeyPEM: try key.serializeAsPEM().pemString + "\n"
            )
        } catch {
            throw PKIError(
                code: .issuanceFailed,
                message: "Cannot build the CA certificate '\(commonName)'.",
                cause: error
            )
        }
    }

    /// Loads a CA from its PEM certificate and key, as read from `ca.crt` and `ca.key`.
    ///
    /// The PEM strings are kept as given. The key may be PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1
    /// (`RSA PRIVATE KEY`), so a CA made by kubeadm or openssl can be used too.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/invalidCertificate``,
    ///   ``PKIError/Code-swift.struct/invalidPrivateKey``, ``PKIError/Code-swift.struct/notACertificateAuthority``
    ///   or ``PKIError/Code-swift.struct/keyMismatch``. Their ``PKIError/path`` is `nil`: callers reading files set it.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate = try PEMCoding.certificate(certificatePEM, describedAs: "The CA certificate")
        let key = try PEMCoding.privateKey(privateKeyPEM, describedAs: "The CA private key")
        guard case .isCertificateAuthority? = try? certificate.extensions.basicConstraints else {
            throw PKIError(
                code: .notACertificateAuthority,
                message: "The CA certificate '\(certificate.subject)' lacks CA:TRUE basic constraints; "
                    + "use a CA certificate, or remove it and its key to have a new CA generated."
            )
        }
        guard key.publicKey == certificate.publicKey else {
            throw PKIError(
                code: .keyMismatch,
                message: "The CA private key does not belong to the CA certificate '\(certificate.subject)'; "
                    + "restore the matching key, or remove both to have a new CA generated."
            )
        }
        self.init(
            certificate: certificate,
            privateKey: key,
            certificatePEM: certificatePEM,
            privateKeyPEM: privateKeyPEM
        )
    }

    /// Issues a TLS serving certificate (`serverAuth`) for the given DNS names and IP addresses, valid for
    /// ``leafValidity`` from `now`.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/invalidIPAddress`` if an address does not parse, or
    ///   ``PKIError/Code-swift.struct/issuanceFailed``.
    public func issueServingCertificate(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String],
        now: Date
    ) throws -> IssuedCertificate {
        try self.issue(.serving(commonName: commonName, dnsNames: dnsNames, ipAddresses: ipAddresses), now: now)
    }

    /// Issues a TLS client certificate (`clientAuth`) whose subject names user `commonName` in groups
    /// `organizations`, valid for ``leafValidity`` from `now`.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/issuanceFailed``.
    public func issueClientCertificate(
        commonName: String,
        organizations: [String],
        now: Date
    ) throws -> IssuedCertificate {
        try self.issue(.client(commonName: commonName, organizations: organizations), now: now)
    }

    /// Issues a leaf certificate with a fresh ECDSA P-256 key for `request`, valid for ``leafValidity`` from `now`.
    ///
    /// - Throws: ``PKIError`` with ``PKIError/Code-swift.struct/invalidIPAddress`` if an address does not parse, or
    ///   ``PKIError/Code-swift.struct/issuanceFailed``.
    public func issue(_ request: CertificateRequest, now: Date) throws -> IssuedCertificate {
        var names: [GeneralName] = request.dnsNames.map { .dnsName($0) }
        for address in request.ipAddresses {
            guard let bytes = IPAddressParser.parse(address) else {
                throw PKIError(
                    code: .invalidIPAddress,
                    message: "'\(address)' is not an IPv4 or IPv6 address; "
                        + "pass addresses such as 10.43.0.1 or fd00::1, without a zone or prefix length."
                )
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        do {
            let subject = try DistinguishedName {
                for organization in request.organizations {
                    OrganizationName(organization)
                }
                CommonName(request.commonName)
            }
            let authorityKeyIdentifier =
                (try? self.certificate.extensions.subjectKeyIdentifier)?.keyIdentifier
                ?? SubjectKeyIdentifier(hash: self.certificate.publicKey).keyIdentifier
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([request.usage.isServerAuth ? .serverAuth : .clientAuth])
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier)
                if !names.isEmpty {
                    SubjectAlternativeNames(names)
                }
            }
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: now - Self.clockSkewAllowance,
                notValidAfter: now + Self.leafValidity,
                issuer: self.certificate.subject,
                subject: subject,
                extensions: extensions,
                issuerPrivateKey: self.privateKey
            )
            let certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
            return IssuedCertificate(
                certificate: certificate,
                privateKey: key,
                certificatePEM: certificatePEM,
                privateKeyPEM: try key.serializeAsPEM().pemString + "\n",
                chainPEM: PEMCoding.concatenate(certificatePEM, self.certificatePEM)
            )
        } catch {
            throw PKIError(
                code: .issuanceFailed,
                message: "Cannot issue the \(request.usage) certificate '\(request.commonName)'.",
                cause: error
            )
        }
    }

    /// Whether this CA signed `certificate`: its issuer is this CA's subject and its signature verifies with this
    /// CA's public key.
    public func isIssuer(of certificate: Certificate) -> Bool {
        certificate.issuer == self.certificate.subject
            && self.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }
}
