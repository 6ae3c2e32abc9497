public import SkiffAPI
import SkiffAPIMachinery
import Synchronization

/// The `/openapi/v3` endpoints: an index of group-versions and one OpenAPI 3.0 document per served group-version.
///
/// kubectl (`apply`, `create -f`, `replace`, `edit`, `explain`) and Helm read these documents to learn whether the
/// server validates fields (`fieldValidation` on a kind's `patch` operation), how to compute strategic merge
/// patches (`x-kubernetes-patch-*` extensions) and to explain fields. The shape follows kube-openapi's builder3 and
/// the API server's `/openapi/v3` handler:
///
/// - ``index()`` answers `GET /openapi/v3` with `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"}}}`;
/// - ``document(path:)`` answers `GET /openapi/v3/apis/apps/v1` with the document and the hash the index shows.
///
/// Documents are built from the compiled-in schema on first request, then cached; a value of this type can be
/// shared by every request handler.
///
/// ## Topics
/// ### Creating the service
/// - ``init(resources:serverVersion:)``
/// ### Serving
/// - ``groupVersionPaths``
/// - ``index()``
/// - ``document(path:)``
public struct OpenAPIV3Service: Sendable {
    /// The `info.version` of every document.
    public let serverVersion: String
    /// `api/v1`, `apis/apps/v1`, …: one per group-version of the resources, sorted.
    public let groupVersionPaths: [String]

    private let resourcesByPath: [String: (naming: GroupVersionNaming, resources: [APIResourceInfo])]
    private let cache: DocumentCache

    /// A service publishing `resources`, grouped by group-version.
    ///
    /// - Parameters:
    ///   - resources: The served resources; defaults to every resource of the compiled-in schema.
    ///   - serverVersion: The version every document's `info` carries.
    public init(resources: [APIResourceInfo] = APISchema.resources, serverVersion: String = "v1.32.4") {
        var grouped: [String: (naming: GroupVersionNaming, resources: [APIResourceInfo])] = [:]
        for resource in resources {
            let naming = GroupVersionNaming(
                group: resource.groupVersionKind.group,
                version: resource.groupVersionKind.version
            )
            grouped[naming.documentPath, default: (naming, [])].resources.append(resource)
        }
        self.serverVersion = serverVersion
        self.resourcesByPath = grouped
        self.groupVersionPaths = grouped.keys.sorted()
        self.cache = DocumentCache()
    }

    /// The body of `GET /openapi/v3`: every group-version with the URL of its current document, as compact JSON.
    ///
    /// Building the index builds (and caches) every document, since each URL carries its document's hash.
    public func index() -> [UInt8] {
        var paths = JSONObject()
        for path in self.groupVersionPaths {
            guard let document = self.document(path: path) else { continue }
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(document.hash)")]
        }
        return JSONValue.object(["paths": .object(paths)]).serialized()
    }

    /// The document of the group-version at `path` (`api/v1`, `apis/apps/v1`), as compact JSON with sorted keys,
    /// and its hash (the one ``index()`` shows); `nil` when the group-version is not served.
    public func document(path: String) -> (bytes: [UInt8], hash: String)? {
        guard let entry = self.resourcesByPath[path] else { return nil }
        if let cached = self.cache.document(at: path) { return (cached.bytes, cached.hash) }
        // Built outside the lock: a concurrent first request may build it twice, and both builds are equal.
        var builder = OpenAPIV3DocumentBuilder(
            naming: entry.naming,
            resources: entry.resources,
            serverVersion: self.serverVersion
        )
        let bytes = builder.build().serialized(sortingKeys: true)
        let built = self.cache.insert(CachedDocument(bytes: bytes, hash: FNV1a128.hexDigest(of: bytes)), at: path)
        return (built.bytes, built.hash)
    }
}

/// A built document and its hash.
struct CachedDocument: Sendable {
    var bytes: [UInt8]
    var hash: String
}

/// The documents built so far, shared by every copy of an ``OpenAPIV3Service``.
final class DocumentCache: Sendable {
    private let documents = Mutex<[String: CachedDocument]>([:])

    func document(at path: String) -> CachedDocument? {
        self.documents.withLock { $0[path] }
    }

    /// Stores `document` unless another thread stored one first; returns the stored one.
    func insert(_ document: CachedDocument, at path: String) -> CachedDocument {
        self.documents.withLock { documents in
            if let existing = documents[path] { return existing }
            documents[path] = document
            return document
        }
    }
}
