import SkiffAPI
import SkiffAPIMachinery

/// Builds the `/openapi/v3` document of one group-version from the resources it serves, as the API server's
/// endpoint installer and kube-openapi's builder3 would.
///
/// Every resource gets its collection, item, all-namespaces, watch and subresource paths, each operation with
/// upstream's `operationId`, tag, `x-kubernetes-action`, `x-kubernetes-group-version-kind` (an object here, an
/// array in schemas), inline parameters with a `schema`, request bodies and responses. The component schemas
/// are the converted v2 definitions the operations reach.
struct OpenAPIV3DocumentBuilder {
    /// The media types every non-streaming response is offered in.
    static let responseMediaTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
    /// The media types of list and watch responses.
    static let streamingMediaTypes = [
        "application/json", "application/json;stream=watch", "application/vnd.kubernetes.protobuf",
        "application/vnd.kubernetes.protobuf;stream=watch", "application/yaml",
    ]
    /// The patch types a patch operation accepts; kubectl looks for `strategic-merge-patch+json` to compute a
    /// strategic merge patch from the document.
    static let patchMediaTypes = [
        "application/apply-patch+cbor", "application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json",
    ]

    static let statusDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    static let patchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    static let deleteOptionsDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
    static let watchEventDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"
    static let resourceListDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList"

    /// Kinds whose item `delete` answers with the deleted object rather than a `Status` (upstream registries
    /// with `ReturnDeletedObject`), as `group/Kind`; `resource.k8s.io` kinds all do.
    static let kindsReturningDeletedObject: Set<String> = [
        "/PersistentVolumeClaim", "/Pod", "/PodTemplate", "/ResourceQuota", "/ServiceAccount", "/Service",
        "/PersistentVolume", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/StorageClass",
        "storage.k8s.io/VolumeAttachment", "storage.k8s.io/VolumeAttributesClass",
    ]

    let naming: GroupVersionNaming
    let resources: [APIResourceInfo]
    let serverVersion: String
    let converter: SchemaConverter
    /// The definition of a kind; the default reads the compiled-in schema.
    let definitionName: @Sendable (GroupVersionKind) -> String?

    private var paths: [String: JSONObject] = [:]
    private var referencedDefinitions: Set<String> = []

    init(
        naming: GroupVersionNaming,
        resources: [APIResourceInfo],
        serverVersion: String,
        converter: SchemaConverter = SchemaConverter(),
        definitionName: @escaping @Sendable (GroupVersionKind) -> String? = { APISchema.definitionName(for: $0) }
    ) {
        self.naming = naming
        self.resources = resources
        self.serverVersion = serverVersion
        self.converter = converter
        self.definitionName = definitionName
    }

    /// The whole document.
    mutating func build() -> JSONValue {
        self.addResourceListPath()
        for resource in self.resources {
            self.addPaths(of: resource)
        }
        let schemas = self.converter.components(reachableFrom: self.referencedDefinitions.sorted())
        let paths = JSONObject(self.paths.sorted { $0.key < $1.key }.map { (key: $0.key, value: .object($0.value)) })
        return [
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": [
                    "BearerToken": [
                        "description": "Bearer Token authentication",
                        "in": "header",
                        "name": "authorization",
                        "type": "apiKey",
                    ]
                ],
            ],
            "info": ["title": "Kubernetes", "version": .string(self.serverVersion)],
            "openapi": "3.0.0",
            "paths": .object(paths),
        ]
    }

    // MARK: - Paths

    private mutating func addResourceListPath() {
        var operation = JSONObject()
        operation["description"] = "get available resources"
        operation["operationId"] = .string("get\(self.naming.operationInfix)APIResources")
        operation["responses"] = self.responses([("200", "OK")], definition: Self.resourceListDefinition)
        operation["tags"] = [.string(self.naming.tag)]
        self.paths[self.naming.urlPrefix + "/", default: JSONObject()]["get"] = .object(operation)
    }

    private mutating func addPaths(of resource: APIResourceInfo) {
        let gvk = resource.groupVersionKind
        guard let kindDefinition = self.definitionName(gvk) else { return }
        let kind = gvk.kind
        let verbs = Set(resource.verbs)
        let namespaced = resource.isNamespaced
        let scope = namespaced ? "Namespaced" : ""
        let namespaceSegment = namespaced ? "/namespaces/{namespace}" : ""
        let collectionPath = self.naming.urlPrefix + namespaceSegment + "/" + resource.plural
        let itemPath = collectionPath + "/{name}"
        let infix = self.naming.operationInfix
        let scopeParameters: [OpenAPIParameter] = namespaced ? [.namespace] : []
        let itemParameters: [OpenAPIParameter] = [.name(of: kind)] + scopeParameters

        // Collection: list, create, deletecollection.
        if verbs.contains("list"), let listDefinition = self.definitionName(self.listKind(of: gvk)) {
            self.addOperation(
                "get",
                at: collectionPath,
                operation: self.operation(
                    id: "list\(infix)\(scope)\(kind)",
                    description: verbs.contains("watch")
                        ? "list or watch objects of kind \(kind)" : "list objects of kind \(kind)",
                    action: "list",
                    gvk: gvk,
                    parameters: OpenAPIParameter.list,
                    responses: self.responses([("200", "OK")], definition: listDefinition, streaming: true)
                ),
                pathParameters: scopeParameters + [.pretty]
            )
            if namespaced {
                self.addOperation(
                    "get",
                    at: self.naming.urlPrefix + "/" + resource.plural,
                    operation: self.operation(
                        id: "list\(infix)\(kind)ForAllNamespaces",
                        description: verbs.contains("watch")
                            ? "list or watch objects of kind \(kind)" : "list objects of kind \(kind)",
                        action: "list",
                        gvk: gvk,
                        parameters: [],
                        responses: self.responses([("200", "OK")], definition: listDefinition, streaming: true)
                    ),
                    pathParameters: OpenAPIParameter.list + [.pretty]
                )
            }
        }
        if verbs.contains("create") {
            self.addOperation(
                "post",
                at: collectionPath,
                operation: self.operation(
                    id: "create\(infix)\(scope)\(kind)",
                    description: "create \(Self.withArticle(kind))",
                    action: "post",
                    gvk: gvk,
                    parameters: OpenAPIParameter.create,
                    requestBody: self.requestBody(definition: kindDefinition),
                    responses: self.responses(
                        [("200", "OK"), ("201", "Created"), ("202", "Accepted")],
                        definition: kindDefinition
                    )
                ),
                pathParameters: scopeParameters + [.pretty]
            )
        }
        if verbs.contains("deletecollection") {
            self.addOperation(
                "delete",
                at: collectionPath,
                operation: self.operation(
                    id: "delete\(infix)Collection\(scope)\(kind)",
                    description: "delete collection of \(kind)",
                    action: "deletecollection",
                    gvk: gvk,
                    parameters: OpenAPIParameter.deleteCollection,
                    requestBody: self.requestBody(definition: Self.deleteOptionsDefinition),
                    responses: self.responses([("200", "OK")], definition: Self.statusDefinition)
                ),
                pathParameters: scopeParameters + [.pretty]
            )
        }

        // Item: read, replace, patch, delete.
        self.addItemOperations(
            verbs: verbs,
            path: itemPath,
            idSuffix: "\(scope)\(kind)",
            what: "the specified \(kind)",
            gvk: gvk,
            definition: kindDefinition,
            pathParameters: itemParameters
        )
        if verbs.contains("delete") {
            let returnsObject =
                Self.kindsReturningDeletedObject.contains(gvk.group + "/" + kind)
                || gvk.group == "resource.k8s.io"
            self.addOperation(
                "delete",
                at: itemPath,
                operation: self.operation(
                    id: "delete\(infix)\(scope)\(kind)",
                    description: "delete \(Self.withArticle(kind))",
                    action: "delete",
                    gvk: gvk,
                    parameters: OpenAPIParameter.delete,
                    requestBody: self.requestBody(definition: Self.deleteOptionsDefinition),
                    responses: self.responses(
                        [("200", "OK"), ("202", "Accepted")],
                        definition: returnsObject ? kindDefinition : Self.statusDefinition
                    )
                ),
                pathParameters: itemParameters + [.pretty]
            )
        }

        // Watch (deprecated upstream, still published).
        if verbs.contains("watch") {
            let watchPrefix = self.naming.urlPrefix + "/watch"
            let watchParameters = OpenAPIParameter.list + [.pretty]
            let watchResponses = self.responses(
                [("200", "OK")],
                definition: Self.watchEventDefinition,
                streaming: true
            )
            self.addOperation(
                "get",
                at: watchPrefix + namespaceSegment + "/" + resource.plural,
                operation: self.operation(
                    id: "watch\(infix)\(scope)\(kind)List",
                    description: "watch individual changes to a list of \(kind). deprecated: use the 'watch' "
                        + "parameter with a list operation instead.",
                    action: "watchlist",
                    gvk: gvk,
                    parameters: [],
                    responses: watchResponses
                ),
                pathParameters: scopeParameters + watchParameters
            )
            self.addOperation(
                "get",
                at: watchPrefix + namespaceSegment + "/" + resource.plural + "/{name}",
                operation: self.operation(
                    id: "watch\(infix)\(scope)\(kind)",
                    description: "watch changes to an object of kind \(kind). deprecated: use the 'watch' "
                        + "parameter with a list operation instead, filtered to a single item with the "
                        + "'fieldSelector' parameter.",
                    action: "watch",
                    gvk: gvk,
                    parameters: [],
                    responses: watchResponses
                ),
                pathParameters: itemParameters + watchParameters
            )
            if namespaced {
                self.addOperation(
                    "get",
                    at: watchPrefix + "/" + resource.plural,
                    operation: self.operation(
                        id: "watch\(infix)\(kind)ListForAllNamespaces",
                        description: "watch individual changes to a list of \(kind). deprecated: use the "
                            + "'watch' parameter with a list operation instead.",
                        action: "watchlist",
                        gvk: gvk,
                        parameters: [],
                        responses: watchResponses
                    ),
                    pathParameters: watchParameters
                )
            }
        }

        for subresource in resource.subresources {
            self.addSubresource(
                subresource,
                of: resource,
                itemPath: itemPath,
                scope: scope,
                itemParameters: itemParameters
            )
        }
    }

    private mutating func addItemOperations(
        verbs: Set<String>,
        path: String,
        idSuffix: String,
        what: String,
        gvk: GroupVersionKind,
        definition: String,
        pathParameters: [OpenAPIParameter]
    ) {
        let infix = self.naming.operationInfix
        let parameters = pathParameters + [.pretty]
        if verbs.contains("get") {
            self.addOperation(
                "get",
                at: path,
                operation: self.operation(
                    id: "read\(infix)\(idSuffix)",
                    description: "read \(what)",
                    action: "get",
                    gvk: gvk,
                    parameters: [],
                    responses: self.responses([("200", "OK")], definition: definition)
                ),
                pathParameters: parameters
            )
        }
        if verbs.contains("update") {
            self.addOperation(
                "put",
                at: path,
                operation: self.operation(
                    id: "replace\(infix)\(idSuffix)",
                    description: "replace \(what)",
                    action: "put",
                    gvk: gvk,
                    parameters: OpenAPIParameter.update,
                    requestBody: self.requestBody(definition: definition),
                    responses: self.responses([("200", "OK"), ("201", "Created")], definition: definition)
                ),
                pathParameters: parameters
            )
        }
        if verbs.contains("patch") {
            self.addOperation(
                "patch",
                at: path,
                operation: self.operation(
                    id: "patch\(infix)\(idSuffix)",
                    description: "partially update \(what)",
                    action: "patch",
                    gvk: gvk,
                    parameters: OpenAPIParameter.patch,
                    requestBody: self.requestBody(
                        definition: Self.patchDefinition,
                        mediaTypes: Self.patchMediaTypes
                    ),
                    responses: self.responses([("200", "OK"), ("201", "Created")], definition: definition)
                ),
                pathParameters: parameters
            )
        }
    }

    private mutating func addSubresource(
        _ subresource: APISubresourceInfo,
        of resource: APIResourceInfo,
        itemPath: String,
        scope: String,
        itemParameters: [OpenAPIParameter]
    ) {
        let kind = resource.groupVersionKind.kind
        let gvk = subresource.groupVersionKind
        let verbs = Set(subresource.verbs)
        let path = itemPath + "/" + subresource.name
        let infix = self.naming.operationInfix
        let suffix = GroupVersionNaming.capitalized(Substring(subresource.name))

        if gvk.kind.hasSuffix("Options") {
            // exec, attach, portforward, proxy: connect operations that upgrade or proxy the connection.
            var methods: [(verb: String, method: String)] = [
                ("delete", "delete"), ("get", "get"), ("patch", "patch"), ("create", "post"), ("update", "put"),
            ].filter { verbs.contains($0.verb) }
            if subresource.name == "proxy" { methods += [("get", "head"), ("get", "options")] }
            let query = OpenAPIParameter.subresourceQuery(subresource.name)
            let variants: [(path: String, idSuffix: String, parameters: [OpenAPIParameter])] =
                subresource.name == "proxy"
                ? [
                    (path, "", itemParameters + query),
                    (path + "/{path}", "WithPath", itemParameters + [.proxyPath] + query),
                ] : [(path, "", itemParameters + query)]
            for variant in variants {
                for (_, method) in methods {
                    let methodName = GroupVersionNaming.capitalized(Substring(method))
                    self.addOperation(
                        method,
                        at: variant.path,
                        operation: self.operation(
                            id: "connect\(infix)\(methodName)\(scope)\(kind)\(suffix)\(variant.idSuffix)",
                            description: "connect \(method.uppercased()) requests to \(subresource.name) of \(kind)",
                            action: "connect",
                            gvk: gvk,
                            parameters: [],
                            responses: self.stringResponses(mediaTypes: ["*/*"])
                        ),
                        pathParameters: variant.parameters
                    )
                }
            }
            return
        }

        if subresource.name == "log" {
            guard verbs.contains("get") else { return }
            self.addOperation(
                "get",
                at: path,
                operation: self.operation(
                    id: "read\(infix)\(scope)\(kind)Log",
                    description: "read log of the specified \(kind)",
                    action: "get",
                    gvk: gvk,
                    parameters: [],
                    responses: self.stringResponses(mediaTypes: Self.responseMediaTypes + ["text/plain"])
                ),
                pathParameters: itemParameters + [.pretty] + OpenAPIParameter.subresourceQuery("log")
            )
            return
        }

        guard let definition = self.definitionName(gvk) else { return }
        self.addItemOperations(
            verbs: verbs,
            path: path,
            idSuffix: "\(scope)\(kind)\(suffix)",
            what: "\(subresource.name) of the specified \(kind)",
            gvk: gvk,
            definition: definition,
            pathParameters: itemParameters
        )
        if verbs.contains("create") {
            self.addOperation(
                "post",
                at: path,
                operation: self.operation(
                    id: "create\(infix)\(scope)\(kind)\(suffix)",
                    description: "create \(subresource.name) of \(Self.withArticle(kind))",
                    action: "post",
                    gvk: gvk,
                    parameters: OpenAPIParameter.create,
                    requestBody: self.requestBody(definition: definition),
                    responses: self.responses(
                        [("200", "OK"), ("201", "Created"), ("202", "Accepted")],
                        definition: definition
                    )
                ),
                pathParameters: itemParameters + [.pretty]
            )
        }
    }

    // MARK: - Pieces

    private func listKind(of gvk: GroupVersionKind) -> GroupVersionKind {
        GroupVersionKind(group: gvk.group, version: gvk.version, kind: gvk.kind + "List")
    }

    /// Adds `operation` under `method` at `path`, setting the path-level parameters (the same for every
    /// operation of a path).
    private mutating func addOperation(
        _ method: String,
        at path: String,
        operation: JSONObject,
        pathParameters: [OpenAPIParameter]
    ) {
        var item = self.paths[path] ?? JSONObject()
        item[method] = .object(operation)
        if item["parameters"] == nil, !pathParameters.isEmpty {
            item["parameters"] = .array(pathParameters.map(\.json))
        }
        self.paths[path] = item
    }

    private func operation(
        id: String,
        description: String,
        action: String,
        gvk: GroupVersionKind,
        parameters: [OpenAPIParameter],
        requestBody: JSONValue? = nil,
        responses: JSONValue
    ) -> JSONObject {
        var operation = JSONObject()
        operation["description"] = .string(description)
        operation["operationId"] = .string(id)
        if !parameters.isEmpty { operation["parameters"] = .array(parameters.map(\.json)) }
        if let requestBody { operation["requestBody"] = requestBody }
        operation["responses"] = responses
        operation["tags"] = [.string(self.naming.tag)]
        operation["x-kubernetes-action"] = .string(action)
        operation["x-kubernetes-group-version-kind"] = [
            "group": .string(gvk.group),
            "kind": .string(gvk.kind),
            "version": .string(gvk.version),
        ]
        return operation
    }

    private mutating func requestBody(definition: String, mediaTypes: [String] = ["*/*"]) -> JSONValue {
        self.referencedDefinitions.insert(definition)
        let schema = SchemaConverter.reference(to: definition)
        return ["content": .object(JSONObject(mediaTypes.map { (key: $0, value: ["schema": schema]) }))]
    }

    private mutating func responses(
        _ codes: [(code: String, description: String)],
        definition: String,
        streaming: Bool = false
    ) -> JSONValue {
        self.referencedDefinitions.insert(definition)
        let schema = SchemaConverter.reference(to: definition)
        let mediaTypes = streaming ? Self.streamingMediaTypes : Self.responseMediaTypes
        let content = JSONValue.object(JSONObject(mediaTypes.map { (key: $0, value: ["schema": schema]) }))
        var responses = JSONObject(
            codes.map { (key: $0.code, value: ["content": content, "description": .string($0.description)]) }
        )
        responses["401"] = ["description": "Unauthorized"]
        return .object(responses)
    }

    private func stringResponses(mediaTypes: [String]) -> JSONValue {
        let content = JSONObject(mediaTypes.map { (key: $0, value: ["schema": ["type": "string"]]) })
        return [
            "200": ["content": .object(content), "description": "OK"],
            "401": ["description": "Unauthorized"],
        ]
    }

    /// `kind` with upstream's article: `a Pod`, `an Ingress`, and none for a plural-looking kind (`Endpoints`).
    static func withArticle(_ kind: String) -> String {
        guard let first = kind.first else { return kind }
        if kind.hasSuffix("s"), !kind.hasSuffix("ss") { return kind }
        return ("AEIOU".contains(first) ? "an " : "a ") + kind
    }
}
