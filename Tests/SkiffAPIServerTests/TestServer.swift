import Crypto
import Foundation
import Logging
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffStorage
import Testing

/// An API handler over an in-memory store, running its caches and bootstrap for the duration of `body`.
func withTestHandler<T: Sendable>(
    configuration: APIServerConfiguration = APIServerConfiguration(watchBookmarkInterval: .milliseconds(200)),
    _ body: @Sendable (TestClient) async throws -> T
) async throws -> T {
    let storage = InMemoryStorage()
    let handler = APIHandler(
        configuration: configuration,
        storage: storage,
        serviceAccountTokens: ServiceAccountTokens(key: P256.Signing.PrivateKey()),
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await handler.run() }
        let client = TestClient(handler: handler)
        // Ready once the bootstrap namespaces exist.
        for _ in 0..<500 where !handler.isReady { try await Task.sleep(for: .milliseconds(10)) }
        #expect(handler.isReady)
        let result = try await body(client)
        group.cancelAll()
        return result
    }
}

/// Requests against the handler, as the in-process transport will make them.
struct TestClient: Sendable {
    let handler: APIHandler
    static let admin = UserInfo(name: "system:admin", groups: ["system:masters", "system:authenticated"])

    @discardableResult
    func request(
        _ method: String,
        _ target: String,
        body: String? = nil,
        contentType: String? = "application/json",
        accept: String? = nil
    ) async -> Reply {
        let parts = target.split(separator: "?", maxSplits: 1)
        var headers: [(name: String, value: String)] = []
        if let contentType, body != nil { headers.append(("Content-Type", contentType)) }
        if let accept { headers.append(("Accept", accept)) }
        let response = await self.handler.handle(
            APIRequest(
                method: method,
                path: String(parts[0]),
                query: parts.count > 1 ? String(parts[1]) : "",
                headers: headers,
                body: Array((body ?? "").utf8),
                user: Self.admin
            )
        )
        return Reply(response: response)
    }

    /// Streams a watch's lines until `count` lines arrived (or the stream ended).
    func watchLines(_ target: String, count: Int, accept: String? = nil, during action: @Sendable () async throws -> Void = {}) async throws -> [JSONValue] {
        let parts = target.split(separator: "?", maxSplits: 1)
        let response = await self.handler.handle(
            APIRequest(
                method: "GET",
                path: String(parts[0]),
                query: parts.count > 1 ? String(parts[1]) : "",
                headers: accept.map { [("Accept", $0)] } ?? [],
                user: Self.admin
            )
        )
        guard case .stream(let producer) = response.body else {
            Issue.record("not a stream: \(response.status) \(String(decoding: response.bodyBytes, as: UTF8.self))")
            return []
        }
        let collected = LinesBox()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await producer { chunk in
                        collected.append(chunk)
                        if collected.count >= count { throw StopWatching() }
                    }
                } catch is StopWatching {}
            }
            try await action()
            try await group.next()
            group.cancelAll()
        }
        return collected.lines.map { try! JSONValue.parse(Array($0.utf8)) }
    }
}

struct StopWatching: Error {}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var storedLines: [String] = []
    func append(_ chunk: [UInt8]) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.buffer += chunk
        while let newline = self.buffer.firstIndex(of: 10) {
            self.storedLines.append(String(decoding: self.buffer[..<newline], as: UTF8.self))
            self.buffer.removeSubrange(...newline)
        }
    }
    var count: Int { self.lock.lock(); defer { self.lock.unlock() }; return self.storedLines.count }
    var lines: [String] { self.lock.lock(); defer { self.lock.unlock() }; return self.storedLines }
}

struct Reply: Sendable {
    let response: APIResponse
    var status: Int { self.response.status }
    var text: String { String(decoding: self.response.bodyBytes, as: UTF8.self) }
    var json: JSONValue { (try? JSONValue.parse(self.response.bodyBytes)) ?? .null }
    func header(_ name: String) -> String? { self.response.header(name) }
}
