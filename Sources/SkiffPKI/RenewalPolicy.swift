public import Foundation
import SwiftASN1
import X509

/// Decides whether a leaf certificate found on disk still serves a ``CertificateRequest``, or must be re-issued.
///
/// Pure: no I/O and no clock; the caller passes `now`. Matches k3s's rule (`pkg/util/certs`, dynamiclistener):
/// a certificate is renewed when it expires within ``renewalWindow``, or no longer covers the names asked for.
/// A certificate with more names than asked for is kept.
public enum RenewalPolicy {
    /// How close to expiry a leaf certificate is re-issued: 90 days, as in k3s.
    public static let renewalWindow: TimeInterval = 90 * 24 * 3600

    /// Why `issued` must be re-issued for `request` under `authority` at `now`, or `nil` when it can be kept.
    public static func renewalReason(
        for issued: IssuedCertificate,
        request: CertificateRequest,
        authority: CertificateAuthority,
        now: Date
    ) -> String? {
        let certificate = issued.certificate
        guard issued.privateKey.publicKey == certificate.publicKey else {
            return "its private key does not match it"
        }
        guard authority.isIssuer(of: certificate) else {
            return "it is not signed by the cluster CA"
        }
        guard certificate.notValidBefore <= now + CertificateAuthority.clockSkewAllowance else {
            return "it is not valid until \(certificate.notValidBefore)"
        }
        guard certificate.notValidAfter > now + self.renewalWindow else {
            return "it expires at \(certificate.notValidAfter), within 90 days"
        }
        let wantedUsage: ExtendedKeyUsage.Usage = request.usage.isServerAuth ? .serverAuth : .clientAuth
        guard let usages = try? certificate.extensions.extendedKeyUsage, usages.contains(wantedUsage) else {
            return "it lacks the \(request.usage) extended key usage"
        }
        let identity = ClientIdentity(certificate: certificate)
        guard identity?.user == request.commonName else {
            return "its common name is not '\(request.commonName)'"
        }
        guard identity?.groups == request.organizations else {
            return "its organizations are not \(request.organizations)"
        }
        let names = (try? certificate.extensions.subjectAlternativeNames).map(Array.init) ?? []
        var dnsNames: Set<String> = []
        var ipAddresses: Set<[UInt8]> = []
        for name in names {
            switch name {
            case .dnsName(let dnsName): dnsNames.insert(dnsName.lowercased())
            case .ipAddress(let octets): ipAddresses.insert(Array(octets.bytes))
            default: break
            }
        }
        if let missing = request.dnsNames.first(where: { !dnsNames.contains($0.lowercased()) }) {
            return "it lacks the DNS name '\(missing)'"
        }
        if let missing = request.ipAddresses.first(where: { address in
            IPAddressParser.parse(address).map { !ipAddresses.contains($0) } ?? true
        }) {
            return "it lacks the IP address '\(missing)'"
        }
        return nil
    }
}
