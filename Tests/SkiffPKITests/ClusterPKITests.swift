import Foundation
import SkiffPKI
import Testing
import X509

struct ClusterPKITests {
    let names = ClusterPKI.defaultServingNames(
        hostName: "node-1",
        hostAddresses: ["192.168.1.10", "fd00::10"],
        serviceIP: "10.43.0.1"
    )
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func load(_ directory: TemporaryDirectory, ipAddresses: [String]? = nil, at now: Date) throws -> ClusterPKI {
        try ClusterPKI.loadOrCreate(
            directory: directory.file("tls"),
            hostnames: self.names.dnsNames,
            ipAddresses: ipAddresses ?? self.names.ipAddresses,
            now: now
        )
    }

    func fileContents(_ pki: ClusterPKI) throws -> [String] {
        let paths = pki.paths
        return try [
            paths.certificateAuthorityCertificate, paths.certificateAuthorityKey, paths.servingCertificate,
            paths.servingKey, paths.adminCertificate, paths.adminKey,
        ].map { try String(contentsOfFile: $0, encoding: .utf8) }
    }

    @Test
    func firstStartCreatesEverythingAndWritesWhatItReturns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try self.load(directory, at: self.now)

        #expect(pki.outcomes.map(\.reused) == [false, false, false])
        #expect(
            try self.fileContents(pki) == [
                pki.certificateAuthority.certificatePEM, pki.certificateAuthority.privateKeyPEM,
                pki.serving.certificatePEM, pki.serving.privateKeyPEM, pki.admin.certificatePEM,
                pki.admin.privateKeyPEM,
            ]
        )
        #expect(pki.paths.servingCertificate == directory.file("tls/serving-kube-apiserver.crt"))
        #expect(
            ClientIdentity(certificate: pki.admin.certificate)
                == ClientIdentity(user: "system:admin", groups: ["system:masters"])
        )
        #expect(ClientIdentity(certificate: pki.serving.certificate)?.user == "kube-apiserver")
        #expect(pki.certificateAuthority.isIssuer(of: pki.serving.certificate))
        #expect(pki.certificateAuthority.isIssuer(of: pki.admin.certificate))
    }

    @Test
    func secondStartReusesEveryFileByteForByte() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try self.load(directory, at: self.now)
        let before = try self.fileContents(first)
        let second = try self.load(directory, at: self.now + 30 * day)

        #expect(second.outcomes.map(\.reused) == [true, true, true])
        #expect(second.certificateAuthority.certificatePEM == first.certificateAuthority.certificatePEM)
        #expect(second.certificateAuthority.privateKeyPEM == first.certificateAuthority.privateKeyPEM)
        #expect(second.serving == first.serving)
        #expect(second.admin == first.admin)
        #expect(try self.fileContents(second) == before)
    }

    struct NameChange: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var ipAddresses: [String]
        var reissues: Bool
    }

    @Test(arguments: [
        NameChange(testDescription: "new address", ipAddresses: ["127.0.0.1", "192.168.1.11"], reissues: true),
        NameChange(testDescription: "fewer addresses", ipAddresses: ["127.0.0.1"], reissues: false),
        NameChange(testDescription: "same IPv6 written longhand", ipAddresses: ["fd00:0:0:0::10"], reissues: false),
    ])
    func changedNamesReissueOnlyTheServingCertificateWhenOneIsMissing(_ change: NameChange) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try self.load(directory, at: self.now)
        let second = try self.load(directory, ipAddresses: change.ipAddresses, at: self.now + day)

        #expect(second.certificateAuthority == first.certificateAuthority)
        #expect(second.admin == first.admin)
        #expect((second.serving.certificatePEM != first.serving.certificatePEM) == change.reissues)
        #expect(second.outcomes[1].reused == !change.reissues)
        if change.reissues {
            #expect(second.outcomes[1].reason == "it lacks the IP address '192.168.1.11'")
            let addresses = try subjectAlternativeNames(of: second.serving.certificate).ipAddresses
            #expect(addresses.contains([192, 168, 1, 11]))
            #expect(
                try String(contentsOfFile: second.paths.servingCertificate, encoding: .utf8)
                    == second.serving.certificatePEM
            )
        }
    }

    @Test(arguments: [(250.0, false), (300.0, true), (400.0, true)])
    func leavesExpiringWithin90DaysAreReissued(daysLater: Double, reissues: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try self.load(directory, at: self.now)
        let later = self.now + daysLater * day
        let second = try self.load(directory, at: later)

        #expect(second.certificateAuthority == first.certificateAuthority)
        #expect((second.serving.certificatePEM != first.serving.certificatePEM) == reissues)
        #expect((second.admin.certificatePEM != first.admin.certificatePEM) == reissues)
        if reissues {
            #expect(second.serving.certificate.notValidAfter > later + 360 * day)
            #expect(second.outcomes[1].reason?.contains("within 90 days") == true)
        }
    }

    @Test
    func leavesFromAnotherCAOrDamagedAreReissued() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try self.load(directory, at: self.now)
        let stranger = try CertificateAuthority.generate(commonName: "stranger", now: self.now)
        let foreign = try stranger.issueClientCertificate(
            commonName: "system:admin",
            organizations: ["system:masters"],
            now: self.now
        )
        try foreign.certificatePEM.write(toFile: first.paths.adminCertificate, atomically: true, encoding: .utf8)
        try foreign.privateKeyPEM.write(toFile: first.paths.adminKey, atomically: true, encoding: .utf8)
        try "garbage".write(toFile: first.paths.servingKey, atomically: true, encoding: .utf8)

        let second = try self.load(directory, at: self.now)
        #expect(second.outcomes[1].reused == false)
        #expect(second.outcomes[1].reason?.contains("cannot be read") == true)
        #expect(second.outcomes[2].reason == "it is not signed by the cluster CA")
        #expect(second.certificateAuthority.isIssuer(of: second.admin.certificate))
        #expect(second.certificateAuthority.isIssuer(of: second.serving.certificate))
        #expect(second.serving.privateKey.publicKey == second.serving.certificate.publicKey)
    }

    @Test
    func keysAre0600CertificatesAre0644AndTheDirectory0700() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try self.load(directory, at: self.now)
        #expect(try permissions(of: pki.directory) == 0o700)
        for key in [pki.paths.certificateAuthorityKey, pki.paths.servingKey, pki.paths.adminKey] {
            #expect(try permissions(of: key) == 0o600, "\(key)")
        }
        for certificate in [pki.paths.certificateAuthorityCertificate, pki.paths.servingCertificate] {
            #expect(try permissions(of: certificate) == 0o644, "\(certificate)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: pki.directory).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: ["ca.crt", "ca.key"])
    func aHalfMissingCAIsAnErrorNamingBothFiles(_ removed: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try self.load(directory, at: self.now)
        try FileManager.default.removeItem(atPath: directory.file("tls/\(removed)"))

        let error = try #require(throws: PKIError.self) { try self.load(directory, at: self.now) }
        #expect(error.code == .certificateAuthorityIncomplete)
        #expect(error.path == directory.file("tls/\(removed)"))
        #expect(error.message.contains("ca.crt") && error.message.contains("ca.key"))
    }

    @Test
    func aDamagedCAKeyIsAnErrorNamingTheKeyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try self.load(directory, at: self.now)
        try "garbage".write(toFile: directory.file("tls/ca.key"), atomically: true, encoding: .utf8)

        let error = try #require(throws: PKIError.self) { try self.load(directory, at: self.now) }
        #expect(error.code == .invalidPrivateKey)
        #expect(error.path == directory.file("tls/ca.key"))
        #expect(error.message.contains(directory.file("tls/ca.key")))
    }

    @Test
    func anExpiredCAIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try self.load(directory, at: self.now)
        let error = try #require(throws: PKIError.self) { try self.load(directory, at: self.now + 3651 * day) }
        #expect(error.code == .certificateAuthorityExpired)
    }

    @Test
    func moreCertificatesComeFromTheSameCA() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try self.load(directory, at: self.now)
        let request = CertificateRequest.client(commonName: "system:node:node-1", organizations: ["system:nodes"])
        let kubelet = try pki.loadOrIssue(request, name: "client-kubelet", now: self.now)
        let again = try pki.loadOrIssue(request, name: "client-kubelet", now: self.now)

        #expect(again == kubelet)
        #expect(pki.certificateAuthority.isIssuer(of: kubelet.certificate))
        #expect(try permissions(of: directory.file("tls/client-kubelet.key")) == 0o600)
    }

    struct NamesCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var hostName: String
        var hostAddresses: [String]
        var serviceIP: String
        var dnsNames: [String]
        var ipAddresses: [String]
    }

    static let inClusterNames = [
        "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
    ]

    @Test(arguments: [
        NamesCase(
            testDescription: "typical",
            hostName: "node-1",
            hostAddresses: ["192.168.1.10", "fd00::10"],
            serviceIP: "10.43.0.1",
            dnsNames: ["localhost", "node-1"] + inClusterNames,
            ipAddresses: ["127.0.0.1", "192.168.1.10", "fd00::10", "10.43.0.1"]
        ),
        NamesCase(
            testDescription: "duplicates and empties",
            hostName: "LOCALHOST",
            hostAddresses: ["127.0.0.1", "", "fd00::10", "fd00:0::10"],
            serviceIP: "",
            dnsNames: ["localhost"] + inClusterNames,
            ipAddresses: ["127.0.0.1", "fd00::10"]
        ),
        NamesCase(
            testDescription: "host name is an address",
            hostName: "10.0.0.5",
            hostAddresses: ["10.0.0.5"],
            serviceIP: "10.43.0.1",
            dnsNames: ["localhost"] + inClusterNames,
            ipAddresses: ["127.0.0.1", "10.0.0.5", "10.43.0.1"]
        ),
    ])
    func defaultServingNamesAreDeduplicatedInStableOrder(_ c: NamesCase) {
        let names = ClusterPKI.defaultServingNames(
            hostName: c.hostName,
            hostAddresses: c.hostAddresses,
            serviceIP: c.serviceIP
        )
        #expect(names.dnsNames == c.dnsNames)
        #expect(names.ipAddresses == c.ipAddresses)
    }
}
