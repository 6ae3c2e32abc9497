import Foundation
import SkiffPKI
import Testing

/// Checks our certificates and keys with the real `openssl` command line, not only with swift-certificates.
struct OpenSSLInteropTests {
    static let openssl = "/usr/bin/openssl"

    func openssl(_ arguments: String...) throws -> String {
        let output = try runTool(Self.openssl, arguments)
        try #require(output.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(output.standardError)")
        return output.standardOutput
    }

    @Test
    func opensslReadsTheExtensionsAndVerifiesBothLeaves() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let names = ClusterPKI.defaultServingNames(
            hostName: "node-1",
            hostAddresses: ["192.168.1.10", "fd00::10"],
            serviceIP: "10.43.0.1"
        )
        let pki = try ClusterPKI.loadOrCreate(
            directory: directory.path,
            hostnames: names.dnsNames,
            ipAddresses: names.ipAddresses
        )

        let ca = try self.openssl("x509", "-noout", "-text", "-in", pki.paths.certificateAuthorityCertificate)
        #expect(ca.contains("CA:TRUE"))
        #expect(ca.contains("Digital Signature, Certificate Sign, CRL Sign"))
        #expect(ca.contains("X509v3 Subject Key Identifier"))
        #expect(ca.contains("ASN1 OID: prime256v1"))
        #expect(ca.contains("Signature Algorithm: ecdsa-with-SHA256"))

        let serving = try self.openssl("x509", "-noout", "-text", "-in", pki.paths.servingCertificate)
        #expect(serving.contains("Subject: CN=kube-apiserver") || serving.contains("Subject: CN = kube-apiserver"))
        #expect(serving.contains("TLS Web Server Authentication"))
        #expect(serving.contains("X509v3 Authority Key Identifier"))
        #expect(serving.contains("CA:FALSE"))
        for name in names.dnsNames {
            #expect(serving.contains("DNS:\(name)"), "\(name)")
        }
        // OpenSSL 3.0 prints IPv6 uncompressed in upper case; later releases may compress it.
        for forms in [["127.0.0.1"], ["192.168.1.10"], ["FD00:0:0:0:0:0:0:10", "fd00::10"], ["10.43.0.1"]] {
            #expect(forms.contains { serving.contains("IP Address:\($0)") }, "\(forms) in \(serving)")
        }

        let admin = try self.openssl(
            "x509",
            "-noout",
            "-subject",
            "-ext",
            "extendedKeyUsage",
            "-in",
            pki.paths.adminCertificate
        )
        #expect(
            admin.contains("O=system:masters, CN=system:admin")
                || admin.contains("O = system:masters, CN = system:admin")
        )
        #expect(admin.contains("TLS Web Client Authentication"))

        for (leaf, purpose) in [(pki.paths.servingCertificate, "sslserver"), (pki.paths.adminCertificate, "sslclient")]
        {
            let verified = try self.openssl(
                "verify",
                "-CAfile",
                pki.paths.certificateAuthorityCertificate,
                "-purpose",
                purpose,
                leaf
            )
            #expect(verified.contains("\(leaf): OK"))
        }
    }

    @Test
    func opensslRejectsALeafAgainstAnotherCA() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try ClusterPKI.loadOrCreate(directory: directory.file("a"), hostnames: ["a"], ipAddresses: [])
        let other = try ClusterPKI.loadOrCreate(directory: directory.file("b"), hostnames: ["b"], ipAddresses: [])
        let output = try runTool(
            Self.openssl,
            ["verify", "-CAfile", other.paths.certificateAuthorityCertificate, pki.paths.servingCertificate]
        )
        #expect(output.status != 0)
    }

    @Test
    func opensslLoadsEachKeyAndItMatchesItsCertificate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try ClusterPKI.loadOrCreate(directory: directory.path, hostnames: ["a"], ipAddresses: ["::1"])
        let pairs = [
            (pki.paths.certificateAuthorityCertificate, pki.paths.certificateAuthorityKey),
            (pki.paths.servingCertificate, pki.paths.servingKey),
            (pki.paths.adminCertificate, pki.paths.adminKey),
        ]
        for (certificate, key) in pairs {
            let fromKey = try self.openssl("pkey", "-in", key, "-pubout")
            let fromCertificate = try self.openssl("x509", "-in", certificate, "-noout", "-pubkey")
            #expect(fromKey == fromCertificate, "\(key)")
            #expect(fromKey.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        }
    }

    @Test
    func aCAMadeByOpensslWithASEC1KeyIssuesVerifiableCertificates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keyPath = directory.file("ca.key")
        let certificatePath = directory.file("ca.crt")
        _ = try self.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath)
        _ = try self.openssl(
            "req",
            "-x509",
            "-new",
            "-key",
            keyPath,
            "-subj",
            "/CN=openssl-ca",
            "-days",
            "10",
            "-out",
            certificatePath,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign"
        )
        let keyPEM = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(keyPEM.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))

        let ca = try CertificateAuthority(
            certificatePEM: String(contentsOfFile: certificatePath, encoding: .utf8),
            privateKeyPEM: keyPEM
        )
        let leaf = try ca.issueServingCertificate(
            commonName: "s",
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"],
            now: Date()
        )
        let leafPath = directory.file("leaf.crt")
        try leaf.certificatePEM.write(toFile: leafPath, atomically: true, encoding: .utf8)
        let verified = try self.openssl("verify", "-CAfile", certificatePath, leafPath)
        #expect(verified.contains("OK"))
    }
}
