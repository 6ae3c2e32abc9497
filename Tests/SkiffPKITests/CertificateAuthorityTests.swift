import Crypto
import Foundation
import SkiffPKI
import Testing
import X509

struct CertificateAuthorityTests {
    let now = Date()

    @Test
    func generatedCAHasTheConstraintsUsagesAndValidityOfK3s() throws {
        let ca = try CertificateAuthority.generate(commonName: "skiff-server-ca@1", now: self.now)
        let extensions = ca.certificate.extensions

        #expect(try extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        let keyUsage = try #require(try extensions.keyUsage)
        #expect(keyUsage.keyCertSign && keyUsage.digitalSignature && keyUsage.cRLSign)
        #expect(!keyUsage.keyEncipherment)
        #expect(extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try extensions.subjectKeyIdentifier == SubjectKeyIdentifier(hash: ca.certificate.publicKey))
        #expect(ca.certificate.subject == ca.certificate.issuer)
        #expect(ClientIdentity(certificate: ca.certificate)?.user == "skiff-server-ca@1")
        #expect(P256.Signing.PublicKey(ca.certificate.publicKey) != nil)
        let lifetime = ca.certificate.notValidAfter.timeIntervalSince(ca.certificate.notValidBefore)
        #expect(abs(lifetime - (3650 * day + CertificateAuthority.clockSkewAllowance)) < 2)
        #expect(ca.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(ca.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    }

    @Test
    func loadingFromPEMKeepsTheTextAndTheKey() throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let loaded = try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
        #expect(loaded == ca)
    }

    struct BadCA: Sendable, CustomTestStringConvertible {
        var name: String
        var code: PKIError.Code
        var make: @Sendable (CertificateAuthority, CertificateAuthority) throws -> (String, String)
        var testDescription: String { self.name }
    }

    @Test(arguments: [
        BadCA(name: "garbage certificate", code: .invalidCertificate) { ca, _ in ("nonsense", ca.privateKeyPEM) },
        BadCA(name: "garbage key", code: .invalidPrivateKey) { ca, _ in (ca.certificatePEM, "nonsense") },
        BadCA(name: "another CA's key", code: .keyMismatch) { ca, other in (ca.certificatePEM, other.privateKeyPEM) },
        BadCA(name: "a leaf as CA", code: .notACertificateAuthority) { ca, _ in
            let leaf = try ca.issueClientCertificate(commonName: "u", organizations: [], now: Date())
            return (leaf.certificatePEM, leaf.privateKeyPEM)
        },
    ])
    func loadingABadCAFailsWithItsCode(_ bad: BadCA) throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let other = try CertificateAuthority.generate(commonName: "other", now: self.now)
        let (certificatePEM, keyPEM) = try bad.make(ca, other)
        let error = try #require(throws: PKIError.self) {
            try CertificateAuthority(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        }
        #expect(error.code == bad.code)
    }

    @Test
    func servingCertificateCarriesTheRequestedNamesAndServerAuth() throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let serving = try ca.issueServingCertificate(
            commonName: "kube-apiserver",
            dnsNames: ["localhost", "kubernetes.default.svc"],
            ipAddresses: ["127.0.0.1", "10.43.0.1", "fd00::1", "::ffff:192.168.1.2"],
            now: self.now
        )
        let extensions = serving.certificate.extensions
        let names = try subjectAlternativeNames(of: serving.certificate)
        #expect(names.dnsNames == ["localhost", "kubernetes.default.svc"])
        #expect(
            names.ipAddresses == [
                [127, 0, 0, 1],
                [10, 43, 0, 1],
                [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 2],
            ]
        )
        #expect(Array(try #require(try extensions.extendedKeyUsage)) == [.serverAuth])
        #expect(try extensions.basicConstraints == .notCertificateAuthority)
        let keyUsage = try #require(try extensions.keyUsage)
        #expect(keyUsage.digitalSignature && keyUsage.keyEncipherment && !keyUsage.keyCertSign)
        #expect(
            try extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        )
        #expect(ClientIdentity(certificate: serving.certificate) == ClientIdentity(user: "kube-apiserver", groups: []))
        let lifetime = serving.certificate.notValidAfter.timeIntervalSince(serving.certificate.notValidBefore)
        #expect(abs(lifetime - (365 * day + CertificateAuthority.clockSkewAllowance)) < 2)
        #expect(serving.chainPEM == serving.certificatePEM + ca.certificatePEM)
        #expect(serving.privateKey.publicKey == serving.certificate.publicKey)
        #expect(ca.isIssuer(of: serving.certificate))
    }

    @Test
    func clientCertificateNamesTheUserAndGroups() throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let client = try ca.issueClientCertificate(
            commonName: "system:admin",
            organizations: ["system:masters", "team-a"],
            now: self.now
        )
        #expect(
            ClientIdentity(certificate: client.certificate)
                == ClientIdentity(user: "system:admin", groups: ["system:masters", "team-a"])
        )
        #expect(Array(try #require(try client.certificate.extensions.extendedKeyUsage)) == [.clientAuth])
        #expect(try client.certificate.extensions.subjectAlternativeNames == nil)
    }

    @Test(arguments: ["10.0.0", "256.1.1.1", "01.2.3.4", "fe80::1%eth0", "10.0.0.0/8", "1::2::3", "host.example"])
    func invalidIPAddressIsRejected(_ address: String) throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let error = try #require(throws: PKIError.self) {
            try ca.issueServingCertificate(commonName: "s", dnsNames: [], ipAddresses: [address], now: self.now)
        }
        #expect(error.code == .invalidIPAddress)
        #expect(error.message.contains(address))
    }

    @Test
    func chainVerifiesWithTheRFC5280PolicyAndNotWithAnotherCA() async throws {
        let ca = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let other = try CertificateAuthority.generate(commonName: "ca", now: self.now)
        let serving = try ca.issueServingCertificate(
            commonName: "kube-apiserver",
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"],
            now: self.now
        )
        let client = try ca.issueClientCertificate(commonName: "u", organizations: ["g"], now: self.now)

        for leaf in [serving.certificate, client.certificate] {
            var verifier = Verifier(rootCertificates: CertificateStore([ca.certificate])) { RFC5280Policy() }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
            guard case .validCertificate(let chain) = result else {
                Issue.record("expected a valid chain, got \(result)")
                continue
            }
            #expect(Array(chain) == [leaf, ca.certificate])

            var wrong = Verifier(rootCertificates: CertificateStore([other.certificate])) { RFC5280Policy() }
            let wrongResult = await wrong.validate(leaf: leaf, intermediates: CertificateStore())
            guard case .couldNotValidate = wrongResult else {
                Issue.record("expected the wrong CA to fail, got \(wrongResult)")
                continue
            }
        }
        #expect(!other.isIssuer(of: serving.certificate))
    }
}
