#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

/// Gives new PersistentVolumeClaims without `spec.storageClassName` the default StorageClass (the one annotated
/// `storageclass.kubernetes.io/is-default-class: "true"`; with several, the newest, then by name) (↔ upstream
/// `plugin/pkg/admission/storage/storageclass/setdefault`, "DefaultStorageClass", on by default).
///
/// A claim that sets the field (even to `""`) or the legacy `volume.beta.kubernetes.io/storage-class` annotation
/// keeps what it asked for.
struct DefaultStorageClass: MutatingAdmissionPlugin {
    static let pluginName = "DefaultStorageClass"
    var name: String { Self.pluginName }
    let objects: any AdmissionObjectSource

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard attributes.isMainResource(.persistentVolumeClaims), attributes.operation == .create,
            var claim = attributes.object as? CoreV1.PersistentVolumeClaim,
            claim.spec?.storageClassName == nil,
            claim.metadata.annotations?["volume.beta.kubernetes.io/storage-class"] == nil
        else { return }
        let classes = try await self.objects.list(StorageV1.StorageClass.self, .storageClasses, namespace: nil, cached: true)
        let defaults = classes.filter {
            $0.metadata.annotations?["storageclass.kubernetes.io/is-default-class"] == "true"
                || $0.metadata.annotations?["storageclass.beta.kubernetes.io/is-default-class"] == "true"
        }
        guard let chosen = DefaultClasses.newest(defaults.map(\.metadata)) else { return }
        var spec = claim.spec ?? CoreV1.PersistentVolumeClaimSpec()
        spec.storageClassName = chosen
        claim.spec = spec
        attributes.object = claim
    }
}

/// Gives new Ingresses without `spec.ingressClassName` the default IngressClass (annotated
/// `ingressclass.kubernetes.io/is-default-class: "true"`; with several, the newest) (↔ upstream
/// `plugin/pkg/admission/network/defaultingressclass`, "DefaultIngressClass", on by default).
///
/// An Ingress with the legacy `kubernetes.io/ingress.class` annotation keeps it.
struct DefaultIngressClass: MutatingAdmissionPlugin {
    static let pluginName = "DefaultIngressClass"
    var name: String { Self.pluginName }
    let objects: any AdmissionObjectSource

    func admit(_ attributes: inout AdmissionAttributes) async throws {
        guard attributes.isMainResource(.ingresses), attributes.operation == .create,
            var ingress = attributes.object as? NetworkingV1.Ingress,
            ingress.spec?.ingressClassName == nil,
            ingress.metadata.annotations?["kubernetes.io/ingress.class"] == nil
        else { return }
        let classes = try await self.objects.list(NetworkingV1.IngressClass.self, .ingressClasses, namespace: nil, cached: true)
        let defaults = classes.filter {
            $0.metadata.annotations?["ingressclass.kubernetes.io/is-default-class"] == "true"
        }
        guard let chosen = DefaultClasses.newest(defaults.map(\.metadata)) else { return }
        var spec = ingress.spec ?? NetworkingV1.IngressSpec()
        spec.ingressClassName = chosen
        ingress.spec = spec
        attributes.object = ingress
    }
}

/// How upstream picks among several default classes: the most recently created, then the first by name.
enum DefaultClasses {
    static func newest(_ classes: [MetaV1.ObjectMeta]) -> String? {
        classes.max { a, b in
            let createdA = a.creationTimestamp?.date ?? .distantPast
            let createdB = b.creationTimestamp?.date ?? .distantPast
            if createdA != createdB { return createdA < createdB }
            return (a.name ?? "") > (b.name ?? "")
        }?.name
    }
}
