public import X509

/// The user and groups a client certificate authenticates as.
///
/// Mirrors the API server's x509 authenticator (`k8s.io/apiserver/pkg/authentication/request/x509`,
/// `CommonNameUserConversion`): the user is the subject common name, the groups are the subject organizations, in
/// order. A certificate without a common name authenticates no one; with several, the last counts, as in Go's
/// `pkix.Name`.
public struct ClientIdentity: Sendable, Hashable {
    /// The user name: the subject `CN`.
    public var user: String
    /// The groups: each subject `O`, in the order the subject lists them.
    public var groups: [String]

    /// Creates an identity.
    public init(user: String, groups: [String]) {
        self.user = user
        self.groups = groups
    }

    /// The identity named by `certificate`'s subject, or `nil` when it has no (or an empty) common name.
    ///
    /// This does not check the certificate's chain, validity or key usage: verify those first.
    public init?(certificate: Certificate) {
        var user: String?
        var groups: [String] = []
        for relativeName in certificate.subject {
            for attribute in relativeName {
                guard let value = String(attribute.value) else { continue }
                if attribute.type == .RDNAttributeType.commonName {
                    // Go's pkix.Name keeps the last CN, so the last one wins here too.
                    user = value
                } else if attribute.type == .RDNAttributeType.organizationName {
                    groups.append(value)
                }
            }
        }
        guard let user, !user.isEmpty else { return nil }
        self.init(user: user, groups: groups)
    }
}
