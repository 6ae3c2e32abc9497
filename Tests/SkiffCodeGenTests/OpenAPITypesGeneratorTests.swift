import Foundation
import Testing

@testable import SkiffCodeGen

/// Loads the reference once for all tests of this file.
///
/// `nonisolated(unsafe)`: `GeneratorInput` holds Foundation JSON (`[String: Any]`), which is not `Sendable`; the
/// global is initialized once (lazily, thread-safely) and only read afterwards.
nonisolated(unsafe) private let loadedInput: Result<GeneratorInput, any Error> = Result {
    let reference = PackageLocations.reference
    let data = try Data(contentsOf: reference.appending(path: "kubernetes-1.36-openapi-v2.json"))
    let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return GeneratorInput(
        definitions: document["definitions"] as? [String: [String: Any]] ?? [:],
        document: document,
        protoMessages: try ProtoIDL.parseTree(root: reference.appending(path: "proto"))
    )
}

private func models() throws -> [APITypeModel] {
    try OpenAPITypesGenerator.models(loadedInput.get())
}

struct OpenAPITypesGeneratorTests {
    @Test func podFieldsFollowGoStructOrder() throws {
        let pod = try #require(try models().first { $0.qualifiedName == "CoreV1.Pod" })
        #expect(pod.properties.map(\.jsonName) == ["kind", "apiVersion", "metadata", "spec", "status"])
        #expect(pod.singleGroupVersionKind == APIGroupVersionKind(group: "", version: "v1", kind: "Pod"))
    }

    @Test func statusFieldsFollowGoStructOrder() throws {
        let status = try #require(try models().first { $0.qualifiedName == "MetaV1.Status" })
        #expect(
            status.properties.map(\.jsonName) == [
                "kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code",
            ]
        )
    }

    @Test func embeddedStructFieldsExpandInPlace() throws {
        let all = try models()
        let volume = try #require(all.first { $0.qualifiedName == "CoreV1.Volume" })
        #expect(volume.properties.first?.jsonName == "name")
        #expect(volume.properties.dropFirst().first?.jsonName == "hostPath")
        let probe = try #require(all.first { $0.qualifiedName == "CoreV1.Probe" })
        #expect(probe.properties.prefix(4).map(\.jsonName) == ["exec", "httpGet", "tcpSocket", "grpc"])
    }

    /// Every property of a definition that has a protobuf message is placed by the message's order, never by the
    /// alphabetical fallback.
    @Test func everyProtoBackedPropertyIsOrderedByTheMessage() throws {
        let input = try loadedInput.get()
        var unplaced: [String] = []
        for name in APITypeCatalog.selectedDefinitions(input.definitions) where name.hasPrefix("io.k8s.") {
            guard let message = input.protoMessages["k8s.io." + name.dropFirst("io.k8s.".count)] else { continue }
            let properties = (input.definitions[name]?["properties"] as? [String: Any] ?? [:]).keys.filter {
                $0 != "kind" && $0 != "apiVersion"
            }
            let placed = Set(
                OpenAPIFieldOrder.protoOrder(message, names: Array(properties), protoMessages: input.protoMessages)
            )
            unplaced += properties.filter { !placed.contains($0) }.map { name + "." + $0 }
        }
        #expect(unplaced.isEmpty, "\(unplaced)")
    }

    /// Boxed: the property that makes a type recursive, and large optional ones (probes, volume sources, pod
    /// templates, a kind's spec and status). Inline: a kind's metadata, required properties, and small ones.
    @Test func recursiveAndLargeOptionalPropertiesAreBoxed() throws {
        let all = try models()
        let boxed = Set(
            all.flatMap { model in model.properties.filter(\.isBoxed).map { model.qualifiedName + "." + $0.jsonName } }
        )
        let expected = [
            "APIExtensionsV1.JSONSchemaProps.not", "CoreV1.Container.livenessProbe", "CoreV1.Container.securityContext",
            "CoreV1.Volume.iscsi", "CoreV1.Volume.rbd", "AppsV1.ReplicaSetSpec.template",
            "CoreV1.Pod.spec", "CoreV1.Pod.status", "AppsV1.Deployment.spec", "BatchV1.Job.status",
        ]
        for name in expected { #expect(boxed.contains(name), "\(name)") }
        let inline = [
            "CoreV1.PodSpec.os", "CoreV1.PodSpec.containers", "CoreV1.PodTemplateSpec.metadata", "CoreV1.Pod.metadata",
        ]
        for name in inline { #expect(!boxed.contains(name), "\(name)") }
        let boxedMetadata = all.filter { !$0.groupVersionKinds.isEmpty }.flatMap { model in
            model.properties.filter { $0.isBoxed && $0.jsonName == "metadata" }.map { _ in model.qualifiedName }
        }
        #expect(boxedMetadata.isEmpty, "\(boxedMetadata)")
        let boxedAndRequired = all.flatMap { model in
            model.properties.filter { $0.isBoxed && $0.isRequired }.map { model.qualifiedName + "." + $0.jsonName }
        }
        #expect(boxedAndRequired.isEmpty, "\(boxedAndRequired)")
    }

    @Test func requiredPropertiesAndMetadataAreNonOptional() throws {
        let all = try models()
        let status = try #require(all.first { $0.qualifiedName == "CoreV1.ContainerStatus" })
        #expect(status.properties.first { $0.jsonName == "imageID" }?.isRequired == true)
        #expect(status.properties.first { $0.jsonName == "started" }?.isRequired == false)
        let list = try #require(all.first { $0.qualifiedName == "CoreV1.PodList" })
        #expect(list.properties.first { $0.jsonName == "metadata" }?.isRequired == true)
    }

    @Test func everyGroupVersionIsGenerated() throws {
        let namespaces = Set(try models().compactMap(\.namespace))
        for spec in APITypeCatalog.groupVersions + [APITypeCatalog.apiDiscovery] {
            #expect(namespaces.contains(spec.namespace), "\(spec.namespace)")
        }
    }

    @Test(arguments: [
        ("$ref", "ref"), ("$schema", "schema"),
        ("x-kubernetes-preserve-unknown-fields", "xKubernetesPreserveUnknownFields"),
        ("apiVersion", "apiVersion"), ("continue", "continue"),
    ])
    func jsonNamesBecomeSwiftIdentifiers(_ json: String, _ swift: String) {
        #expect(SwiftNames.identifier(forJSONName: json) == swift)
    }

    @Test func keywordsAreDeclaredWithBackticks() {
        #expect(SwiftNames.declared("continue") == "`continue`")
        #expect(SwiftNames.declared("default") == "`default`")
        #expect(SwiftNames.declared("name") == "name")
    }

    @Test func docCommentsFitTheColumnLimit() {
        let text = String(repeating: "word ", count: 100) + "\n\n  * a bullet that keeps its indentation"
        let lines = SwiftEmitter.docComment(text, indent: "        ")
        #expect(lines.allSatisfy { $0.count <= 120 })
        #expect(lines.contains("        ///"))
        #expect(lines.last == "        ///   * a bullet that keeps its indentation")
    }

    @Test func generatedSourcesFitTheColumnLimit() throws {
        let files = SwiftEmitter.files(for: try models())
        var long: [String] = []
        for file in files {
            for line in file.contents.split(separator: "\n") where line.count > 120 && !line.contains("///") {
                long.append(file.path + ": " + line)
            }
        }
        #expect(long.isEmpty, "\(long.prefix(5))")
    }

    @Test func resourceTableHasScopesVerbsAndSubresources() throws {
        let resources = try OpenAPISchemaEmitter.resources(loadedInput.get().document)
        let pods = try #require(resources.first { $0.plural == "pods" && $0.gvk.group.isEmpty })
        #expect(pods.namespaced)
        #expect(pods.verbs.contains("watch") && pods.verbs.contains("deletecollection"))
        #expect(pods.subresources["eviction"]?.gvk.kind == "Eviction")
        #expect(pods.subresources["status"]?.verbs == ["get", "patch", "update"])
        let deployments = try #require(resources.first { $0.plural == "deployments" })
        #expect(
            deployments.subresources["scale"]?.gvk
                == APIGroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")
        )
        let namespaces = try #require(resources.first { $0.plural == "namespaces" })
        #expect(!namespaces.namespaced)
    }
}
