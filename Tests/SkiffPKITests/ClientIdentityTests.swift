import Crypto
import Foundation
import SkiffPKI
import Testing
import X509

struct ClientIdentityTests {
    func certificate(subject: DistinguishedName) throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        return try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: key.publicKey,
            notValidBefore: Date(),
            notValidAfter: Date() + 3600,
            issuer: subject,
            subject: subject,
            extensions: .init(),
            issuerPrivateKey: key
        )
    }

    @Test
    func userIsTheCommonNameAndGroupsTheOrganizationsInOrder() throws {
        let subject = try DistinguishedName {
            OrganizationName("system:nodes")
            OrganizationName("team-b")
            OrganizationalUnitName("ignored")
            CommonName("system:node:node-1")
        }
        let identity = ClientIdentity(certificate: try self.certificate(subject: subject))
        #expect(identity == ClientIdentity(user: "system:node:node-1", groups: ["system:nodes", "team-b"]))
    }

    @Test
    func aCertificateWithoutACommonNameIdentifiesNoOne() throws {
        let subject = try DistinguishedName { OrganizationName("system:masters") }
        #expect(ClientIdentity(certificate: try self.certificate(subject: subject)) == nil)
        let empty = try DistinguishedName { CommonName("") }
        #expect(ClientIdentity(certificate: try self.certificate(subject: empty)) == nil)
    }

    @Test
    func theLastCommonNameWinsAsInGo() throws {
        let subject = try DistinguishedName {
            CommonName("first")
            CommonName("last")
        }
        #expect(ClientIdentity(certificate: try self.certificate(subject: subject))?.user == "last")
    }
}
