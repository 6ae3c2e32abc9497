import Crypto
import Foundation
import Logging
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffStorage
import SkiffStorageSQLite
import Testing

/// An API handler over SQLite in `directory` (a fresh temporary one by default), running for `body`; reopening the
/// same directory is a restart.
func withSQLiteHandler<T: Sendable>(
    directory: String? = nil,
    configuration: APIServerConfiguration = APIServerConfiguration(),
    _ body: @Sendable (TestClient) async throws -> T
) async throws -> T {
    let path = directory ?? FileManager.default.temporaryDirectory.appending(path: "skiff-admit-\(UUID().uuidString)").path
    defer { if directory == nil { try? FileManager.default.removeItem(atPath: path) } }
    let storage = try SQLiteStorage(directory: path)
    let handler = APIHandler(
        configuration: configuration,
        storage: storage,
        serviceAccountTokens: ServiceAccountTokens(key: P256.Signing.PrivateKey()),
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await handler.run() }
        let client = TestClient(handler: handler)
        for _ in 0..<500 where !handler.isReady { try await Task.sleep(for: .milliseconds(10)) }
        #expect(handler.isReady)
        let result = try await body(client)
        group.cancelAll()
        return result
    }
}

/// The admission chain through the real handler on SQLite: exact Status bodies.
struct AdmissionHandlerTests {
    static func pod(_ name: String, extra: String = "") -> String {
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)"},"spec":{"containers":[{"name":"c","image":"nginx"}]\#(extra)}}"#
    }

    @Test func createInMissingNamespaceIsNotFound() async throws {
        try await withSQLiteHandler { client in
            let reply = await client.request("POST", "/api/v1/namespaces/nope/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            #expect(reply.status == 404)
            #expect(
                reply.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"namespaces"},"code":404}"#
                    + "\n"
            )
        }
    }

    @Test func createInTerminatingNamespaceIsForbidden() async throws {
        try await withSQLiteHandler { client in
            await client.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"doomed"}}"#)
            // The namespace finalizer keeps it Terminating (no namespace controller runs here).
            let deleted = await client.request("DELETE", "/api/v1/namespaces/doomed")
            #expect(deleted.status == 200)
            let reply = await client.request("POST", "/api/v1/namespaces/doomed/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            #expect(reply.status == 403)
            #expect(
                reply.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"a\" is forbidden: unable to create new content in namespace doomed because it is being terminated","reason":"Forbidden","details":{"name":"a","kind":"configmaps","causes":[{"reason":"NamespaceTerminating","message":"namespace doomed is being terminated","field":"metadata.namespace"}]},"code":403}"#
                    + "\n"
            )
            // Updates and deletes of existing content still pass.
            #expect(await client.request("DELETE", "/api/v1/namespaces/doomed/configmaps/none").status == 404)
        }
    }

    @Test(arguments: ["default", "kube-system", "kube-public"])
    func immortalNamespacesCannotBeDeleted(_ name: String) async throws {
        try await withSQLiteHandler { client in
            let reply = await client.request("DELETE", "/api/v1/namespaces/\(name)")
            #expect(reply.status == 403)
            #expect(
                reply.text
                    == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"\#(name)\" is forbidden: this namespace may not be deleted","reason":"Forbidden","details":{"name":"\#(name)","kind":"namespaces"},"code":403}"#
                    + "\n"
            )
            #expect(await client.request("GET", "/api/v1/namespaces/\(name)").json["status"]?["phase"] == "Active")
        }
    }

    @Test func generateNameInMissingNamespaceNamesTheResourceOnly() async throws {
        try await withSQLiteHandler { client in
            let reply = await client.request("POST", "/api/v1/namespaces/gone/pods", body: #"{"metadata":{"generateName":"web-"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#)
            #expect(reply.status == 404)
            #expect(reply.json["message"] == "namespaces \"gone\" not found")
        }
    }
}
