/// Generates the Swift API types and the compiled-in schema from the OpenAPI definitions.
enum OpenAPITypesGenerator {
    static func generate(_ input: GeneratorInput) throws -> [GeneratedFile] {
        let models = try self.models(input)
        var files = SwiftEmitter.files(for: models)
        files += try OpenAPISchemaEmitter.files(input)
        return files
    }

    /// Every type to generate, with properties in Go order and recursive properties boxed.
    static func models(_ input: GeneratorInput) throws -> [APITypeModel] {
        var models: [APITypeModel] = []
        for name in APITypeCatalog.selectedDefinitions(input.definitions) {
            guard let qualified = APITypeCatalog.qualifiedName(forDefinition: name),
                let definition = input.definitions[name]
            else { continue }
            models.append(try self.model(named: name, qualifiedName: qualified, definition: definition, input: input))
        }
        models += try OpenAPIProtoTypes.models(protoMessages: input.protoMessages)
        for index in models.indices {
            for property in models[index].properties.indices {
                // Go's non-pointer ObjectMeta / ListMeta: always present, always encoded.
                let type = models[index].properties[property].type
                if models[index].properties[property].jsonName == "metadata",
                    type == .named("MetaV1.ObjectMeta", zero: "MetaV1.ObjectMeta()")
                        || type == .named("MetaV1.ListMeta", zero: "MetaV1.ListMeta()")
                {
                    models[index].properties[property].isRequired = true
                }
                // A required field without a zero value (hand-written unions) stays optional.
                if models[index].properties[property].isRequired, type.zero == nil {
                    models[index].properties[property].isRequired = false
                }
            }
        }
        self.boxRecursiveProperties(&models)
        self.boxLargeOptionalProperties(&models)
        return models.sorted { $0.qualifiedName < $1.qualifiedName }
    }

    /// Optional properties of generated types at least this large (estimated) are stored in a box.
    static let boxingThreshold = 128
    /// A type still this large after that boxes its other optional properties of generated types, largest first,
    /// until it is smaller (a union such as `Volume`, of which one source is set).
    static let largeTypeThreshold = 256
    /// Smaller properties stay inline even in a large type: a box would save little.
    static let smallestBoxedSize = 32

    /// Boxes the optional properties whose type would take `boxingThreshold` bytes or more inline, then, in types
    /// still `largeTypeThreshold` bytes or more, the larger remaining ones, so that an absent one costs a pointer
    /// rather than the whole struct (sizes are estimates, without padding). A `Volume` has some thirty optional
    /// sources and a `Container` three probes, of which an object uses a few; decoded objects fill informer caches.
    /// A kind's large optional properties (its `spec` and `status`) are boxed too, though nearly always present:
    /// a kind is the value informers, scheduling queues and work items copy, and a boxed `Pod` copies 250 bytes
    /// and shares its spec and status instead of copying nearly 1,000. Its `metadata`, read through `APIObject` on
    /// every path, stays inline.
    static func boxLargeOptionalProperties(_ models: inout [APITypeModel]) {
        var position: [String: Int] = [:]
        for (index, model) in models.enumerated() { position[model.qualifiedName] = index }
        var sizes: [String: Int] = [:]
        func size(of name: String) -> Int {
            if let known = sizes[name] { return known }
            guard let index = position[name] else { return 24 }
            sizes[name] = 8  // a cycle (already boxed) counts as a pointer
            let isKind = !models[index].groupVersionKinds.isEmpty
            var total = 0
            for propertyIndex in models[index].properties.indices {
                let property = models[index].properties[propertyIndex]
                if property.isBoxed {
                    total += 8
                    continue
                }
                guard case .named(let target, _) = property.type, position[target] != nil else {
                    total += self.inlineSize(property.type)
                    continue
                }
                let targetSize = size(of: target)
                if !property.isRequired, !isKind || property.jsonName != "metadata", targetSize >= self.boxingThreshold {
                    models[index].properties[propertyIndex].isBoxed = true
                    total += 8
                } else {
                    total += targetSize + 1
                }
            }
            if total >= self.largeTypeThreshold, !isKind {
                // Largest first, until the type is below the threshold.
                var candidates: [(propertyIndex: Int, size: Int)] = []
                for (propertyIndex, property) in models[index].properties.enumerated() {
                    guard !property.isBoxed, !property.isRequired, case .named(let target, _) = property.type,
                        position[target] != nil
                    else { continue }
                    candidates.append((propertyIndex, size(of: target)))
                }
                for candidate in candidates.sorted(by: { ($0.size, $1.propertyIndex) > ($1.size, $0.propertyIndex) })
                where total >= self.largeTypeThreshold && candidate.size >= self.smallestBoxedSize {
                    models[index].properties[candidate.propertyIndex].isBoxed = true
                    total -= candidate.size + 1 - 8
                }
            }
            sizes[name] = max(total, 1)
            return max(total, 1)
        }
        for model in models { _ = size(of: model.qualifiedName) }
    }

    /// An estimate of the inline size of a non-generated field type, optional or not.
    static func inlineSize(_ type: APIFieldType) -> Int {
        switch type {
        case .string: 16
        case .int32: 5
        case .int64, .double: 9
        case .bool: 1
        case .array, .map: 8
        case .named: 24
        }
    }

    static func model(
        named name: String,
        qualifiedName: String,
        definition: [String: Any],
        input: GeneratorInput
    ) throws -> APITypeModel {
        let properties = definition["properties"] as? [String: [String: Any]] ?? [:]
        let required = Set(definition["required"] as? [String] ?? [])
        let order = OpenAPIFieldOrder.ordered(
            Array(properties.keys),
            definition: name,
            protoMessages: input.protoMessages
        )
        var models: [APIPropertyModel] = []
        for jsonName in order {
            let property = properties[jsonName]!
            models.append(
                APIPropertyModel(
                    jsonName: jsonName,
                    type: try self.fieldType(property, context: name + "." + jsonName),
                    isRequired: required.contains(jsonName),
                    documentation: property["description"] as? String
                )
            )
        }
        let gvks = (definition["x-kubernetes-group-version-kind"] as? [[String: String]] ?? []).map {
            APIGroupVersionKind(group: $0["group"] ?? "", version: $0["version"] ?? "", kind: $0["kind"] ?? "")
        }
        let parts = qualifiedName.split(separator: ".")
        return APITypeModel(
            namespace: parts.count == 2 ? String(parts[0]) : nil,
            name: String(parts.last!),
            source: name,
            documentation: definition["description"] as? String,
            properties: models,
            groupVersionKinds: gvks
        )
    }

    static func fieldType(_ property: [String: Any], context: String) throws -> APIFieldType {
        if let reference = property["$ref"] as? String {
            let target = String(reference.dropFirst("#/definitions/".count))
            if let handWritten = APITypeCatalog.handWritten[target] {
                return .named(handWritten.type, zero: handWritten.zero)
            }
            guard let qualified = APITypeCatalog.qualifiedName(forDefinition: target) else {
                throw ProtoIDLError(message: "\(context): reference to a definition outside the selection: \(target)")
            }
            return .named(qualified, zero: qualified + "()")
        }
        switch property["type"] as? String {
        case "string": return .string
        case "integer": return property["format"] as? String == "int64" ? .int64 : .int32
        case "number": return .double
        case "boolean": return .bool
        case "array":
            guard let items = property["items"] as? [String: Any] else {
                throw ProtoIDLError(message: "\(context): array without items")
            }
            return .array(try self.fieldType(items, context: context + "[]"))
        case "object":
            if let values = property["additionalProperties"] as? [String: Any] {
                return .map(try self.fieldType(values, context: context + "{}"))
            }
            return .named("JSONValue", zero: "JSONValue.null")
        default:
            return .named("JSONValue", zero: "JSONValue.null")
        }
    }

    /// Boxes every optional property that closes a cycle of direct (not array or map) containment, found as the
    /// strongly connected components of the containment graph (Tarjan).
    static func boxRecursiveProperties(_ models: inout [APITypeModel]) {
        let names = Set(models.map(\.qualifiedName))
        var edges: [String: [String]] = [:]
        for model in models {
            edges[model.qualifiedName] = model.properties.compactMap(\.type.directlyContainedName).filter {
                names.contains($0)
            }
        }
        var index = 0
        var indices: [String: Int] = [:]
        var lowLinks: [String: Int] = [:]
        var stack: [String] = []
        var onStack: Set<String> = []
        var component: [String: Int] = [:]
        var componentCount = 0
        func connect(_ node: String) {
            indices[node] = index
            lowLinks[node] = index
            index += 1
            stack.append(node)
            onStack.insert(node)
            for next in edges[node] ?? [] {
                if indices[next] == nil {
                    connect(next)
                    lowLinks[node] = min(lowLinks[node]!, lowLinks[next]!)
                } else if onStack.contains(next) {
                    lowLinks[node] = min(lowLinks[node]!, indices[next]!)
                }
            }
            if lowLinks[node] == indices[node] {
                while let top = stack.popLast() {
                    onStack.remove(top)
                    component[top] = componentCount
                    if top == node { break }
                }
                componentCount += 1
            }
        }
        for name in names.sorted() where indices[name] == nil { connect(name) }
        for modelIndex in models.indices {
            let own = models[modelIndex].qualifiedName
            for propertyIndex in models[modelIndex].properties.indices {
                guard let target = models[modelIndex].properties[propertyIndex].type.directlyContainedName,
                    let targetComponent = component[target], targetComponent == component[own]
                else { continue }
                models[modelIndex].properties[propertyIndex].isBoxed = true
                models[modelIndex].properties[propertyIndex].isRequired = false
            }
        }
    }
}
