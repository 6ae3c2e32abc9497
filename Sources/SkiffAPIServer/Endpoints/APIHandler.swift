#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
public import Logging
import SkiffAPI
public import SkiffAPIMachinery
import SkiffOpenAPI
import SkiffPrinters
public import SkiffStorage
import Synchronization

/// The Kubernetes API behind any transport: routes a request to discovery, OpenAPI, health, metrics or a
/// resource's registry, and turns every failure into a `metav1.Status` (↔ the apiserver's handler chain).
///
/// `handle(_:)` never throws. ``run()`` runs the watch caches and creates the bootstrap objects (default
/// namespaces, the `kubernetes` Service); the server is ready once they exist.
public final class APIHandler: Sendable {
    let configuration: APIServerConfiguration
    let registry: ResourceRegistry
    let stores: [String: ResourceStore]
    let discovery: Discovery
    let openAPI: OpenAPIV3Service
    let tables = TableConvertor()
    let metrics: APIServerMetrics
    let storage: any StorageBackend
    /// Releases node ports and cluster IPs no Service holds (ADR 0006).
    let allocationRepair: ServiceAllocationRepair
    let logger: Logger
    let readiness = Mutex<Readiness>(Readiness())
    /// Issues `serviceaccounts/token` tokens and verifies them as bearer tokens; `nil` disables both.
    public let serviceAccountTokens: ServiceAccountTokens?

    struct Readiness {
        var storeReady = false
        var bootstrapped = false
        var shuttingDown = false
    }

    /// Makes the handler over `storage`; nothing runs until ``run()``.
    public init(
        configuration: APIServerConfiguration,
        storage: any StorageBackend,
        serviceAccountTokens: ServiceAccountTokens? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.serviceAccountTokens = serviceAccountTokens
        self.logger = logger
        let metrics = APIServerMetrics()
        self.metrics = metrics
        let instrumented = InstrumentedStorage(base: storage, metrics: metrics)
        self.storage = instrumented
        self.registry = ResourceRegistry.builtIn
        var stores: [String: ResourceStore] = [:]
        // One admission chain for every resource (plugins pick what they handle), reading through the stores.
        let admissionObjects = StoreAdmissionObjects()
        let admissionPlugins = (try? configuration.admissionPluginNames()) ?? AdmissionPlugins.order.filter {
            !configuration.disableAdmissionPlugins.contains($0)
        }
        let admission = AdmissionChain(
            names: admissionPlugins,
            context: AdmissionPluginContext(
                objects: admissionObjects,
                requireDefaultServiceAccount: configuration.requireDefaultServiceAccount
            )
        )
        // Services allocate their cluster IP as IPAddress objects and node ports as one key per port, released
        // when the Service goes (ADR 0006).
        let addressResource = self.registry.resource(group: "networking.k8s.io", version: "v1", plural: "ipaddresses")
        let addresses = addressResource.map { ResourceStore(resource: $0, storage: instrumented, clock: { Date() }) }
        let serviceAllocations = ServiceAllocations(
            addresses: addresses.flatMap { ServiceIPAllocator(addresses: $0, cidr: configuration.serviceCIDR) },
            nodePorts: NodePortAllocator(storage: instrumented, range: configuration.serviceNodePortRange)
        )
        self.allocationRepair = ServiceAllocationRepair(
            storage: instrumented,
            servicesPrefix: self.registry.resource(group: "", version: "v1", plural: "services")?.keyPrefix
                ?? "/registry/services/",
            addressesPrefix: addressResource?.keyPrefix,
            nodePorts: serviceAllocations.nodePorts,
            addresses: serviceAllocations.addresses,
            logger: logger
        )
        for resource in self.registry.resources {
            let path = resource.group + "/" + resource.version + "/" + resource.plural
            if path == "networking.k8s.io/v1/ipaddresses", let addresses {
                stores[path] = addresses
            } else if let conversion = Self.storedInAnotherVersion[path],
                let stored = self.registry.resource(
                    group: conversion.group,
                    version: conversion.version,
                    plural: conversion.plural
                )
            {
                // One resource stored once, in upstream's storage version; this version's reads and writes convert.
                let view = VersionedStorage(
                    base: instrumented,
                    servedPrefix: resource.keyPrefix,
                    storagePrefix: stored.keyPrefix,
                    converter: conversion.converter
                )
                stores[path] = ResourceStore(resource: resource, storage: view, clock: { Date() }, admission: admission)
            } else {
                stores[path] = ResourceStore(
                    resource: resource,
                    storage: instrumented,
                    clock: { Date() },
                    admission: admission,
                    allocator: path == "/v1/services" ? serviceAllocations : nil
                )
            }
        }
        admissionObjects.attach(Array(stores.values))
        self.stores = stores
        self.discovery = Discovery(resources: self.registry.resources, serverAddress: configuration.advertiseAddress)
        self.openAPI = OpenAPIV3Service(
            resources: self.registry.resources.map(\.info),
            serverVersion: APIHandler.kubernetesVersion
        )
    }

    /// Served versions whose objects are stored as another version's (upstream's storage versions): events.k8s.io/v1
    /// Events as v1 Events, autoscaling/v1 HorizontalPodAutoscalers as v2.
    static let storedInAnotherVersion:
        [String: (group: String, version: String, plural: String, converter: any VersionConverter)] = [
            "events.k8s.io/v1/events": ("", "v1", "events", EventConversion()),
            "autoscaling/v1/horizontalpodautoscalers": ("autoscaling", "v2", "horizontalpodautoscalers", AutoscalerConversion()),
        ]

    /// The Kubernetes release Skiff implements: kubectl's dispatcher picks its bundled kubectl by the minor.
    public static let kubernetesVersion = KubernetesVersion.gitVersion

    func store(group: String, version: String, resource: String) -> ResourceStore? {
        self.stores[group + "/" + version + "/" + resource]
    }

    /// Runs the watch caches and the bootstrap until cancelled.
    public func run() async throws {
        // Once stopped (shutdown), `/readyz` fails its `shutdown` check, as upstream's does while terminating.
        defer { self.readiness.withLock { $0.shuttingDown = true } }
        try await withThrowingDiscardingTaskGroup { group in
            for store in self.stores.values {
                group.addTask { try await store.runCache() }
            }
            group.addTask { try await self.storage.run() }
            group.addTask { try await self.allocationRepair.run() }
            group.addTask {
                try await self.bootstrap()
                self.readiness.withLock { $0.bootstrapped = true }
                if self.configuration.releasesStartupPagesWhenReady { ProcessMemory.releaseStartupPages() }
            }
        }
    }

    /// Whether the server is ready to serve (`/readyz`).
    public var isReady: Bool {
        self.readiness.withLock { $0.bootstrapped && !$0.shuttingDown }
    }

    // MARK: Handling

    /// Answers one request.
    public func handle(_ request: APIRequest) async -> APIResponse {
        let start = ContinuousClock.now
        let query = QueryParameters(request.query)
        let isWatch = (try? query.bool("watch")) ?? false
        let info = RequestInfo(method: request.method, path: request.path, isWatch: isWatch)
        var response: APIResponse
        do {
            response = try await self.route(request, info: info, query: query)
        } catch let error as APIError {
            response = Self.statusResponse(error)
        } catch let error as CacherError {
            response = Self.statusResponse(Self.apiError(error))
        } catch let error as StorageError {
            response = Self.statusResponse(Self.apiError(error))
        } catch is CancellationError {
            // The server is shutting down (or an in-process caller went away): not a failure of the request.
            self.logger.debug("Request cancelled", metadata: ["path": "\(request.path)"])
            response = Self.statusResponse(APIError.serviceUnavailable("the request was cancelled: the server is shutting down"))
        } catch {
            self.logger.error("Request failed", metadata: ["error": "\(error)", "path": "\(request.path)"])
            response = Self.statusResponse(APIError.internalError("\(error)"))
        }
        if info.isResourceRequest {
            let labels = self.metricLabels(info)
            if info.verb != "watch" {
                self.metrics.observe(labels, code: response.status, duration: ContinuousClock.now - start)
            } else {
                self.metrics.observe(labels, code: response.status, duration: .zero)
            }
        }
        return response
    }

    func metricLabels(_ info: RequestInfo) -> APIServerMetrics.RequestLabels {
        let scope: String
        if info.name != nil {
            scope = "resource"
        } else if info.namespace != nil {
            scope = "namespace"
        } else {
            scope = "cluster"
        }
        var verb = info.verb.uppercased()
        switch info.verb {
        case "list", "watch": verb = info.verb.uppercased()
        case "get": verb = "GET"
        case "create": verb = "POST"
        case "update": verb = "PUT"
        case "patch": verb = "PATCH"
        case "delete", "deletecollection": verb = "DELETE"
        default: break
        }
        return APIServerMetrics.RequestLabels(
            verb: verb,
            group: info.apiGroup,
            version: info.apiVersion,
            resource: info.resource,
            subresource: info.subresource ?? "",
            scope: scope
        )
    }

    private func route(_ request: APIRequest, info: RequestInfo, query: QueryParameters) async throws -> APIResponse {
        if info.isResourceRequest {
            return try await self.handleResource(request, info: info, query: query)
        }
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        switch path {
        case "/version", "/version/":
            return Self.jsonResponse(self.versionDocument())
        case "/healthz", "/livez", "/readyz":
            return self.health(path: path, verbose: query["verbose"] != nil, ready: path == "/readyz" ? self.isReady : true)
        case "/healthz/ping", "/livez/ping", "/readyz/ping":
            return APIResponse(status: 200, headers: Self.textHeaders, body: .bytes(Array("ok".utf8)))
        case "/metrics":
            return APIResponse(
                status: 200,
                headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                body: .bytes(self.metrics.render())
            )
        case "/openapi/v3":
            return APIResponse(status: 200, headers: Self.jsonHeaders, body: .bytes(self.openAPI.index()))
        case "/api":
            return self.discoveryResponse(request, aggregated: self.discovery.aggregatedAPI, legacy: self.discovery.apiVersions)
        case "/apis":
            return self.discoveryResponse(
                request,
                aggregated: self.discovery.aggregatedAPIs,
                legacy: self.discovery.apiGroupList
            )
        default:
            break
        }
        if path.hasPrefix("/openapi/v3/") {
            let documentPath = String(path.dropFirst("/openapi/v3/".count))
            guard let document = self.openAPI.document(path: documentPath) else { throw APIError.pathNotFound() }
            return APIResponse(
                status: 200,
                headers: Self.jsonHeaders + [("Etag", "\"\(document.hash)\"")],
                body: .bytes(document.bytes)
            )
        }
        if info.apiPrefix == "api", info.apiVersion == "v1", info.parts.isEmpty {
            return Self.jsonResponse(self.discovery.resourceLists["/v1"]!)
        }
        if info.apiPrefix == "apis", !info.apiGroup.isEmpty {
            if info.apiVersion.isEmpty, let document = self.discovery.groupDocuments[info.apiGroup] {
                return Self.jsonResponse(document)
            }
            if info.parts.isEmpty, let document = self.discovery.resourceLists[info.apiGroup + "/" + info.apiVersion] {
                return Self.jsonResponse(document)
            }
        }
        throw APIError.pathNotFound()
    }

    private func versionDocument() -> [UInt8] {
        let version: JSONValue = [
            "major": .string(KubernetesVersion.major),
            "minor": .string(KubernetesVersion.minor),
            "gitVersion": .string(Self.kubernetesVersion + "+skiff"),
            "gitCommit": .string(self.configuration.buildCommit),
            "gitTreeState": "clean",
            "buildDate": .string(self.configuration.buildDate),
            "goVersion": "swift6",
            "compiler": "swiftc",
            "platform": .string(Self.platform),
        ]
        var bytes = version.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static var platform: String {
        #if arch(x86_64)
            return "linux/amd64"
        #elseif arch(arm64)
            return "linux/arm64"
        #else
            return "linux/unknown"
        #endif
    }

    private func health(path: String, verbose: Bool, ready: Bool) -> APIResponse {
        let checks: [(String, Bool)] = [
            ("ping", true), ("log", true), ("etcd", true),
            ("poststarthook/bootstrap-controller", self.readiness.withLock { $0.bootstrapped }),
        ] + (path == "/readyz" ? [("shutdown", !self.readiness.withLock { $0.shuttingDown })] : [])
        let healthy = ready && checks.allSatisfy(\.1)
        let name = String(path.dropFirst())
        if !verbose {
            if healthy { return APIResponse(status: 200, headers: Self.textHeaders, body: .bytes(Array("ok".utf8))) }
            var text = ""
            for (check, passed) in checks where !passed { text += "[-]\(check) failed: reason withheld\n" }
            text += "\(name) check failed\n"
            return APIResponse(status: 500, headers: Self.textHeaders, body: .bytes(Array(text.utf8)))
        }
        var text = ""
        for (check, passed) in checks {
            text += passed ? "[+]\(check) ok\n" : "[-]\(check) failed: reason withheld\n"
        }
        text += healthy ? "\(name) check passed\n" : "\(name) check failed\n"
        return APIResponse(status: healthy ? 200 : 500, headers: Self.textHeaders, body: .bytes(Array(text.utf8)))
    }

    private func discoveryResponse(_ request: APIRequest, aggregated: [UInt8], legacy: [UInt8]) -> APIResponse {
        let accept = request.header("Accept") ?? ""
        if accept.contains("g=apidiscovery.k8s.io") && accept.contains("as=APIGroupDiscoveryList")
            && accept.contains("v=v2")
        {
            return APIResponse(
                status: 200,
                headers: [("Content-Type", Discovery.aggregatedMediaType), ("Vary", "Accept")],
                body: .bytes(aggregated)
            )
        }
        return APIResponse(status: 200, headers: Self.jsonHeaders + [("Vary", "Accept")], body: .bytes(legacy))
    }

    // MARK: Responses

    static let jsonHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]
    static let textHeaders: [(name: String, value: String)] = [
        ("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
    ]

    static func jsonResponse(_ bytes: [UInt8], status: Int = 200, headers: [(name: String, value: String)] = [])
        -> APIResponse
    {
        APIResponse(status: status, headers: Self.jsonHeaders + headers, body: .bytes(bytes))
    }

    /// The Status body of `error`, as Go's encoder writes it (compact, struct order, trailing newline).
    static func statusBytes(_ error: APIError) -> [UInt8] {
        var bytes = (try? JSONValueEncoder().encodeToBytes(error.status)) ?? Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","code":500}"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func statusResponse(_ error: APIError) -> APIResponse {
        var headers = Self.jsonHeaders
        if let retry = error.details?.retryAfterSeconds {
            headers.append(("Retry-After", String(retry)))
        }
        return APIResponse(status: error.code, headers: headers, body: .bytes(Self.statusBytes(error)))
    }

    static func apiError(_ error: CacherError) -> APIError {
        if error.code == .tooOld {
            return APIError.expired(error.message)
        }
        if error.code == .tooLargeResourceVersion {
            return APIError.timeout(error.message, retryAfterSeconds: 1)
        }
        return APIError.serviceUnavailable(error.message)
    }

    static func apiError(_ error: StorageError) -> APIError {
        if error.code == .compacted {
            return APIError.expired(
                "too old resource version: \(error.message)"
            )
        }
        if error.code == .futureRevision {
            return APIError.timeout("Too large resource version: \(error.message)", retryAfterSeconds: 1)
        }
        if error.code == .unavailable {
            return APIError.serviceUnavailable(error.message)
        }
        return APIError.internalError(error.description)
    }
}
