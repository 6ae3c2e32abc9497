public import X509

/// A leaf certificate issued by a ``CertificateAuthority``, with its private key, ready to be written to disk or
/// handed to a TLS library.
///
/// ``privateKeyPEM`` is a PKCS#8 `PRIVATE KEY` document, which `openssl`, Go's `crypto/tls`, kubectl and
/// swift-nio-ssl (`NIOSSLPrivateKey(bytes:format: .pem)`, BoringSSL's `PEM_read_bio_PrivateKey`) all load. Keys read
/// back from disk keep the text they were read with, so a SEC1 `EC PRIVATE KEY` file written by another tool stays
/// as it was.
///
/// ## Topics
/// ### The certificate
/// - ``certificate``
/// - ``certificatePEM``
/// - ``chainPEM``
/// ### The key
/// - ``privateKey``
/// - ``privateKeyPEM``
public struct IssuedCertificate: Sendable, Hashable {
    /// The leaf certificate.
    public var certificate: Certificate
    /// The private key matching ``certificate``'s public key.
    public var privateKey: Certificate.PrivateKey
    /// ``certificate`` alone, PEM encoded.
    public var certificatePEM: String
    /// ``privateKey``, PEM encoded.
    public var privateKeyPEM: String
    /// ``certificatePEM`` followed by the issuing CA's certificate: what a TLS server presents.
    public var chainPEM: String

    /// Creates a value from parts that already belong together; ``CertificateAuthority`` is the usual source.
    public init(
        certificate: Certificate,
        privateKey: Certificate.PrivateKey,
        certificatePEM: String,
        privateKeyPEM: String,
        chainPEM: String
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.chainPEM = chainPEM
    }
}
