import SkiffOpenAPI
import Testing

struct DocumentHashTests {
    /// Different group-versions give different hashes, and a different server version changes every hash.
    @Test func hashesDistinguishDocuments() throws {
        let service = Fixture.service
        let hashes = service.groupVersionPaths.compactMap { service.document(path: $0)?.hash }
        #expect(Set(hashes).count == service.groupVersionPaths.count)
        let other = OpenAPIV3Service(serverVersion: "v1.32.5")
        #expect(other.document(path: "api/v1")?.hash != service.document(path: "api/v1")?.hash)
    }
}
