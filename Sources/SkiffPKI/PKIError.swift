/// An error thrown while creating, loading or writing cluster certificates, keys and kubeconfigs.
///
/// Each error carries a stable ``code-swift.property``, a human-readable ``message`` that names the file involved
/// and says what to do about it, the ``path`` when a file is involved, and the underlying ``cause`` when there is one.
///
/// ```swift
/// do {
///     _ = try ClusterPKI.loadOrCreate(directory: dir, hostnames: names, ipAddresses: addresses)
/// } catch let error as PKIError where error.code == .certificateAuthorityIncomplete {
///     // ca.crt without ca.key, or the reverse
/// }
/// ```
///
/// ## Topics
/// ### Codes
/// - ``Code-swift.struct``
public struct PKIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can grow without breaking anyone's `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidIPAddress = "InvalidIPAddress"
            case invalidCertificate = "InvalidCertificate"
            case invalidPrivateKey = "InvalidPrivateKey"
            case keyMismatch = "KeyMismatch"
            case certificateAuthorityIncomplete = "CertificateAuthorityIncomplete"
            case certificateAuthorityExpired = "CertificateAuthorityExpired"
            case notACertificateAuthority = "NotACertificateAuthority"
            case issuanceFailed = "IssuanceFailed"
            case fileSystem = "FileSystem"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A string in `ipAddresses` is neither a dotted IPv4 address nor an IPv6 address.
        public static let invalidIPAddress = Code(.invalidIPAddress)
        /// A PEM certificate could not be parsed.
        public static let invalidCertificate = Code(.invalidCertificate)
        /// A PEM private key could not be parsed, or its algorithm is not supported.
        public static let invalidPrivateKey = Code(.invalidPrivateKey)
        /// A private key does not belong to the certificate it was paired with.
        public static let keyMismatch = Code(.keyMismatch)
        /// Only one of `ca.crt` and `ca.key` exists.
        public static let certificateAuthorityIncomplete = Code(.certificateAuthorityIncomplete)
        /// The cluster CA certificate has expired.
        public static let certificateAuthorityExpired = Code(.certificateAuthorityExpired)
        /// The certificate given as a CA lacks `CA:TRUE` basic constraints.
        public static let notACertificateAuthority = Code(.notACertificateAuthority)
        /// Building or signing a certificate failed.
        public static let issuanceFailed = Code(.issuanceFailed)
        /// Reading, writing, renaming or creating a file or directory failed.
        public static let fileSystem = Code(.fileSystem)

        /// The stable name of the code, such as `KeyMismatch`.
        public var description: String { self.base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong and what to do about it, naming the file when one is involved.
    public var message: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The underlying error, if any.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// `Code: message (cause)`.
    public var description: String {
        var text = "\(self.code): \(self.message)"
        if let cause = self.cause {
            text += " (\(cause))"
        }
        return text
    }
}
