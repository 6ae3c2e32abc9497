import SkiffAPI
import SkiffAPIMachinery

/// One resource in one namespace (or all): builds paths and queries and sends requests; the typed and dynamic
/// clients decode what it returns.
struct ResourceEndpoint: Sendable {
    let client: APIClient
    let resource: GroupVersionResource
    let isNamespaced: Bool
    let namespace: String?

    init(client: APIClient, resource: GroupVersionResource, isNamespaced: Bool, namespace: String?) {
        self.client = client
        self.resource = resource
        self.isNamespaced = isNamespaced
        self.namespace = namespace
    }

    /// An endpoint of a resource named by group, version and plural: the scope comes from the compiled-in schema
    /// when it knows the resource, otherwise from `isNamespaced` (custom resources), which defaults to whether a
    /// namespace was given.
    init(client: APIClient, resource: GroupVersionResource, namespace: String?, isNamespaced: Bool?) {
        let known = APISchema.resource(group: resource.group, version: resource.version, plural: resource.resource)
        let namespaced = known?.isNamespaced ?? isNamespaced ?? (namespace != nil)
        self.init(client: client, resource: resource, isNamespaced: namespaced, namespace: namespaced ? namespace : nil)
    }

    func path(name: String? = nil, subresource: String? = nil) -> String {
        var path = self.resource.pathPrefix
        if self.isNamespaced, let namespace = self.namespace, !namespace.isEmpty {
            path += "/namespaces/" + namespace
        }
        path += "/" + self.resource.resource
        if let name {
            path += "/" + name
            if let subresource { path += "/" + subresource }
        }
        return path
    }

    func send(
        _ method: String,
        name: String? = nil,
        subresource: String? = nil,
        query: [(String, String)] = [],
        body: [UInt8] = [],
        contentType: String? = nil,
        accept: String = "application/json"
    ) async throws -> APIResponse {
        if name != nil || method == "POST" {
            // A namespaced object's verbs need its namespace (a list may span all namespaces).
            if self.isNamespaced, self.namespace?.isEmpty ?? true {
                throw APIError.badRequest("an empty namespace may not be set when a resource name is provided")
            }
        }
        if let name, name.isEmpty {
            throw APIError.badRequest("resource name may not be empty")
        }
        var headers: [(name: String, value: String)] = [("Accept", accept)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return try await self.client.send(
            APIRequest(
                method: method,
                path: self.path(name: name, subresource: subresource),
                query: QueryString.encode(query),
                headers: headers,
                body: body
            )
        )
    }

    /// Streams a watch, calling `onLine` with each complete newline-delimited line.
    func watchLines(
        query: [(String, String)],
        accept: String = "application/json",
        _ onLine: ([UInt8]) async throws -> Void
    ) async throws {
        let response = try await self.send("GET", query: [("watch", "true")] + query, accept: accept)
        switch response.body {
        case .bytes(let bytes):
            var splitter = LineSplitter()
            for line in splitter.append(bytes) { try await onLine(line) }
            if let last = splitter.finish() { try await onLine(last) }
        case .stream(let producer):
            var splitter = LineSplitter()
            try await producer { chunk in
                for line in splitter.append(chunk) { try await onLine(line) }
            }
            if let last = splitter.finish() { try await onLine(last) }
        }
    }
}

/// Splits a byte stream into newline-delimited lines, keeping a partial line across chunks.
struct LineSplitter {
    private var pending: [UInt8] = []

    /// The complete lines of `chunk` (with what was pending), without their newlines; empty lines are skipped.
    mutating func append(_ chunk: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        var index = start
        while index < chunk.endIndex {
            if chunk[index] == 10 {
                if self.pending.isEmpty {
                    if index > start { lines.append(Array(chunk[start..<index])) }
                } else {
                    self.pending.append(contentsOf: chunk[start..<index])
                    lines.append(self.pending)
                    self.pending.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            index += 1
        }
        if start < chunk.endIndex { self.pending.append(contentsOf: chunk[start...]) }
        return lines
    }

    /// What remains after the stream ended (a last line without a newline).
    mutating func finish() -> [UInt8]? {
        defer { self.pending.removeAll() }
        let trimmed = self.pending.filter { $0 != 32 && $0 != 13 && $0 != 9 }
        return trimmed.isEmpty ? nil : self.pending
    }
}

/// Query strings, percent-encoded as Go's `url.Values.Encode` does (sorted by name).
enum QueryString {
    static func encode(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return items.sorted { $0.0 < $1.0 }.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                result += "+"
            default:
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
