#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

extension ResourcePrinter {
    /// HorizontalPodAutoscalers of `autoscaling/v1` and `v2`: `printHorizontalPodAutoscaler`. A `v1` object's
    /// `targetCPUUtilizationPercentage` is the `cpu` utilization metric it converts to.
    static var horizontalPodAutoscalers: ResourcePrinter {
        let spec = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec"
        return ResourcePrinter(
            columns: [
                Columns.name,
                Columns.column("Reference", Columns.doc(spec, "scaleTargetRef")),
                Columns.column("Targets", Columns.doc(spec, "metrics")),
                Columns.column("MinPods", Columns.doc(spec, "minReplicas")),
                Columns.column("MaxPods", Columns.doc(spec, "maxReplicas")),
                Columns.column(
                    "Replicas",
                    Columns.doc("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus", "currentReplicas")
                ),
                Columns.age,
            ]
        ) { json, now in
            let decoder = JSONValueDecoder()
            let metadata: MetaV1.ObjectMeta
            let reference: String
            let targets: String
            let minReplicas: Int32?
            let maxReplicas: Int32
            let currentReplicas: Int32
            if json["apiVersion"]?.stringValue == "autoscaling/v1" {
                let hpa = try decoder.decode(AutoscalingV1.HorizontalPodAutoscaler.self, from: json)
                metadata = hpa.metadata
                reference = hpa.spec.scaleTargetRef.kind + "/" + hpa.spec.scaleTargetRef.name
                if let target = hpa.spec.targetCPUUtilizationPercentage {
                    let current = hpa.status?.currentCPUUtilizationPercentage.map { "\($0)%" } ?? "<unknown>"
                    targets = "cpu: \(current)/\(target)%"
                } else {
                    targets = "<none>"
                }
                minReplicas = hpa.spec.minReplicas
                maxReplicas = hpa.spec.maxReplicas
                currentReplicas = hpa.status?.currentReplicas ?? 0
            } else {
                let hpa = try decoder.decode(AutoscalingV2.HorizontalPodAutoscaler.self, from: json)
                metadata = hpa.metadata
                reference = hpa.spec.scaleTargetRef.kind + "/" + hpa.spec.scaleTargetRef.name
                targets = Self.formatMetrics(hpa.spec.metrics ?? [], hpa.status?.currentMetrics ?? [])
                minReplicas = hpa.spec.minReplicas
                maxReplicas = hpa.spec.maxReplicas
                currentReplicas = hpa.status?.currentReplicas ?? 0
            }
            return Row(cells: [
                .string(metadata.name ?? ""),
                .string(reference),
                .string(targets),
                .string(minReplicas.map { String($0) } ?? "<unset>"),
                .int(Int64(maxReplicas)),
                .int(Int64(currentReplicas)),
                .string(Format.age(metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// `formatHPAMetrics`: `current/target` per metric, at most two, then `+ N more...`.
    static func formatMetrics(_ specs: [AutoscalingV2.MetricSpec], _ statuses: [AutoscalingV2.MetricStatus]) -> String {
        if specs.isEmpty { return "<none>" }
        var list: [String] = []
        for (index, spec) in specs.enumerated() {
            let status = index < statuses.count ? statuses[index] : nil
            func percent(_ value: Int32?) -> String? { value.map { "\($0)%" } }
            switch spec.type {
            case "External":
                let target = spec.external?.target
                if let average = target?.averageValue {
                    let current = status?.external?.current.averageValue.map(\.string) ?? "<unknown>"
                    list.append("\(current)/\(average.string) (avg)")
                } else {
                    let current = status?.external.map { Format.quantityPointer($0.current.value) } ?? "<unknown>"
                    list.append("\(current)/\(Format.quantityPointer(target?.value))")
                }
            case "Pods":
                let current = status?.pods.map { Format.quantityPointer($0.current.averageValue) } ?? "<unknown>"
                list.append("\(current)/\(Format.quantityPointer(spec.pods?.target.averageValue))")
            case "Object":
                let target = spec.object?.target
                if let average = target?.averageValue {
                    let current = status?.object?.current.averageValue.map(\.string) ?? "<unknown>"
                    list.append("\(current)/\(average.string) (avg)")
                } else {
                    let current = status?.object.map { Format.quantityPointer($0.current.value) } ?? "<unknown>"
                    list.append("\(current)/\(Format.quantityPointer(target?.value))")
                }
            case "Resource":
                let resource = spec.resource
                let name = resource?.name ?? ""
                if let average = resource?.target.averageValue {
                    let current =
                        status?.resource.map { Format.quantityPointer($0.current.averageValue) } ?? "<unknown>"
                    list.append("\(name): \(current)/\(average.string)")
                } else {
                    let current = percent(status?.resource?.current.averageUtilization) ?? "<unknown>"
                    let target = percent(resource?.target.averageUtilization) ?? "<auto>"
                    list.append("\(name): \(current)/\(target)")
                }
            case "ContainerResource":
                let resource = spec.containerResource
                let name = resource?.name ?? ""
                if let average = resource?.target.averageValue {
                    let current =
                        status?.containerResource.map { Format.quantityPointer($0.current.averageValue) }
                        ?? "<unknown>"
                    list.append("\(name): \(current)/\(average.string)")
                } else {
                    let current = percent(status?.containerResource?.current.averageUtilization) ?? "<unknown>"
                    let target = percent(resource?.target.averageUtilization) ?? "<auto>"
                    list.append("\(name): \(current)/\(target)")
                }
            default:
                list.append("<unknown type>")
            }
        }
        let max = 2
        if list.count > max {
            return list.prefix(max).joined(separator: ", ") + " + \(list.count - max) more..."
        }
        return list.joined(separator: ", ")
    }

    static var podDisruptionBudgets: ResourcePrinter {
        .typed(
            PolicyV1.PodDisruptionBudget.self,
            [
                Columns.name,
                Columns.column("Min Available", "The minimum number of pods that must be available."),
                Columns.column("Max Unavailable", "The maximum number of pods that may be unavailable."),
                Columns.column(
                    "Allowed Disruptions",
                    "integer",
                    "Calculated number of pods that may be disrupted at this time."
                ),
                Columns.age,
            ]
        ) { budget, now in
            Row(cells: [
                .string(budget.metadata.name ?? ""),
                .string(budget.spec?.minAvailable.map(Format.intOrString) ?? "N/A"),
                .string(budget.spec?.maxUnavailable.map(Format.intOrString) ?? "N/A"),
                .int(Int64(budget.status?.disruptionsAllowed ?? 0)),
                .string(Format.age(budget.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var leases: ResourcePrinter {
        .typed(
            CoordinationV1.Lease.self,
            [
                Columns.name,
                Columns.column("Holder", Columns.doc("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity")),
                Columns.age,
            ]
        ) { lease, now in
            Row(cells: [
                .string(lease.metadata.name ?? ""),
                .string(lease.spec?.holderIdentity ?? ""),
                .string(Format.age(lease.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var roleBindings: ResourcePrinter {
        .typed(RBACV1.RoleBinding.self, Self.bindingColumns("roleBinding", "RoleBinding")) { binding, now in
            Self.bindingRow(binding.metadata, binding.roleRef, binding.subjects, now: now)
        }
    }

    static var clusterRoleBindings: ResourcePrinter {
        .typed(RBACV1.ClusterRoleBinding.self, Self.bindingColumns("clusterRoleBinding", "ClusterRoleBinding")) {
            binding,
            now in
            Self.bindingRow(binding.metadata, binding.roleRef, binding.subjects, now: now)
        }
    }

    static func bindingColumns(_ noun: String, _ type: String) -> [MetaV1.TableColumnDefinition] {
        [
            Columns.name,
            Columns.column("Role", Columns.doc("io.k8s.api.rbac.v1." + type, "roleRef")),
            Columns.age,
            Columns.column("Users", priority: 1, "Users in the \(noun)"),
            Columns.column("Groups", priority: 1, "Groups in the \(noun)"),
            Columns.column("ServiceAccounts", priority: 1, "ServiceAccounts in the \(noun)"),
        ]
    }

    /// `printRoleBinding`: `Kind/name`, then users, groups and `namespace/name` service accounts (`SubjectsStrings`).
    static func bindingRow(
        _ metadata: MetaV1.ObjectMeta,
        _ roleRef: RBACV1.RoleRef,
        _ subjects: [RBACV1.Subject]?,
        now: Date
    ) -> Row {
        var users: [String] = []
        var groups: [String] = []
        var serviceAccounts: [String] = []
        for subject in subjects ?? [] {
            switch subject.kind {
            case "ServiceAccount": serviceAccounts.append((subject.namespace ?? "") + "/" + subject.name)
            case "User": users.append(subject.name)
            case "Group": groups.append(subject.name)
            default: break
            }
        }
        return Row(cells: [
            .string(metadata.name ?? ""),
            .string(roleRef.kind + "/" + roleRef.name),
            .string(Format.age(metadata.creationTimestamp, now: now)),
            .string(users.joined(separator: ", ")),
            .string(groups.joined(separator: ", ")),
            .string(serviceAccounts.joined(separator: ", ")),
        ])
    }

    static var priorityClasses: ResourcePrinter {
        let priorityClass = "io.k8s.api.scheduling.v1.PriorityClass"
        return .typed(
            SchedulingV1.PriorityClass.self,
            [
                Columns.name,
                Columns.column("Value", "integer", Columns.doc(priorityClass, "value")),
                Columns.column("Global-Default", "boolean", Columns.doc(priorityClass, "globalDefault")),
                Columns.age,
                Columns.column("PreemptionPolicy", Columns.doc(priorityClass, "preemptionPolicy")),
            ]
        ) { priorityClass, now in
            Row(cells: [
                .string(priorityClass.metadata.name ?? ""),
                .int(Int64(priorityClass.value ?? 0)),
                .bool(priorityClass.globalDefault ?? false),
                .string(Format.age(priorityClass.metadata.creationTimestamp, now: now)),
                .string(priorityClass.preemptionPolicy ?? ""),
            ])
        }
    }

    /// RuntimeClasses. Upstream describes `Handler` with `ObjectMeta`'s (missing) `handler` doc: an empty string.
    static var runtimeClasses: ResourcePrinter {
        .typed(
            NodeV1.RuntimeClass.self,
            [Columns.name, Columns.column("Handler", ""), Columns.age]
        ) { runtimeClass, now in
            Row(cells: [
                .string(runtimeClass.metadata.name ?? ""),
                .string(runtimeClass.handler),
                .string(Format.age(runtimeClass.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    /// CertificateSigningRequests: `printCertificateSigningRequest`; CONDITION is `Pending`/`Approved`/`Denied`,
    /// then `,Failed` and `,Issued`.
    static var certificateSigningRequests: ResourcePrinter {
        let spec = "io.k8s.api.certificates.v1.CertificateSigningRequestSpec"
        return .typed(
            CertificatesV1.CertificateSigningRequest.self,
            [
                Columns.name,
                Columns.age,
                Columns.column("SignerName", Columns.doc(spec, "signerName")),
                Columns.column("Requestor", Columns.doc(spec, "request")),
                Columns.column("RequestedDuration", Columns.doc(spec, "expirationSeconds")),
                Columns.column(
                    "Condition",
                    Columns.doc("io.k8s.api.certificates.v1.CertificateSigningRequestStatus", "conditions")
                ),
            ]
        ) { request, now in
            let types = Set((request.status?.conditions ?? []).map(\.type))
            var condition =
                types.contains("Denied") ? "Denied" : types.contains("Approved") ? "Approved" : "Pending"
            if types.contains("Failed") { condition += ",Failed" }
            if !(request.status?.certificate ?? "").isEmpty { condition += ",Issued" }
            var duration = "<none>"
            if let seconds = request.spec.expirationSeconds {
                duration = HumanDuration.format(.seconds(seconds))
            }
            return Row(cells: [
                .string(request.metadata.name ?? ""),
                .string(Format.age(request.metadata.creationTimestamp, now: now)),
                .string(request.spec.signerName.isEmpty ? "<none>" : request.spec.signerName),
                .string(request.spec.username ?? ""),
                .string(duration),
                .string(condition),
            ])
        }
    }

    /// StorageClasses: `printStorageClass`; the default class is named `name (default)`.
    static var storageClasses: ResourcePrinter {
        let storageClass = "io.k8s.api.storage.v1.StorageClass"
        return .typed(
            StorageV1.StorageClass.self,
            [
                Columns.name,
                Columns.column("Provisioner", Columns.doc(storageClass, "provisioner")),
                Columns.column("ReclaimPolicy", Columns.doc(storageClass, "reclaimPolicy")),
                Columns.column("VolumeBindingMode", Columns.doc(storageClass, "volumeBindingMode")),
                Columns.column("AllowVolumeExpansion", Columns.doc(storageClass, "allowVolumeExpansion")),
                Columns.age,
            ]
        ) { storageClass, now in
            var name = storageClass.metadata.name ?? ""
            let annotations = storageClass.metadata.annotations ?? [:]
            if annotations["storageclass.kubernetes.io/is-default-class"] == "true"
                || annotations["storageclass.beta.kubernetes.io/is-default-class"] == "true"
            {
                name += " (default)"
            }
            return Row(cells: [
                .string(name),
                .string(storageClass.provisioner),
                .string(storageClass.reclaimPolicy ?? "Delete"),
                .string(storageClass.volumeBindingMode ?? "Immediate"),
                .bool(storageClass.allowVolumeExpansion ?? false),
                .string(Format.age(storageClass.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var volumeAttachments: ResourcePrinter {
        let spec = "io.k8s.api.storage.v1.VolumeAttachmentSpec"
        return .typed(
            StorageV1.VolumeAttachment.self,
            [
                Columns.name,
                Columns.column("Attacher", format: "name", Columns.doc(spec, "attacher")),
                Columns.column(
                    "PV",
                    Columns.doc("io.k8s.api.storage.v1.VolumeAttachmentSource", "persistentVolumeName")
                ),
                Columns.column("Node", Columns.doc(spec, "nodeName")),
                Columns.column(
                    "Attached",
                    "boolean",
                    Columns.doc("io.k8s.api.storage.v1.VolumeAttachmentStatus", "attached")
                ),
                Columns.age,
            ]
        ) { attachment, now in
            Row(cells: [
                .string(attachment.metadata.name ?? ""),
                .string(attachment.spec.attacher),
                .string(attachment.spec.source.persistentVolumeName ?? ""),
                .string(attachment.spec.nodeName),
                .bool(attachment.status?.attached ?? false),
                .string(Format.age(attachment.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var csiDrivers: ResourcePrinter {
        let spec = "io.k8s.api.storage.v1.CSIDriverSpec"
        return .typed(
            StorageV1.CSIDriver.self,
            [
                Columns.name,
                Columns.column("AttachRequired", "boolean", Columns.doc(spec, "attachRequired")),
                Columns.column("PodInfoOnMount", "boolean", Columns.doc(spec, "podInfoOnMount")),
                Columns.column("StorageCapacity", "boolean", Columns.doc(spec, "storageCapacity")),
                Columns.column("TokenRequests", Columns.doc(spec, "tokenRequests")),
                Columns.column("RequiresRepublish", "boolean", Columns.doc(spec, "requiresRepublish")),
                Columns.column("Modes", Columns.doc(spec, "volumeLifecycleModes")),
                Columns.age,
            ]
        ) { driver, now in
            let spec = driver.spec
            let modes = (spec.volumeLifecycleModes ?? []).joined(separator: ",")
            return Row(cells: [
                .string(driver.metadata.name ?? ""),
                .bool(spec.attachRequired ?? true),
                .bool(spec.podInfoOnMount ?? false),
                .bool(spec.storageCapacity ?? false),
                .string(spec.tokenRequests.map { $0.map(\.audience).joined(separator: ",") } ?? "<unset>"),
                .bool(spec.requiresRepublish ?? false),
                .string(modes.isEmpty ? "<none>" : modes),
                .string(Format.age(driver.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var csiNodes: ResourcePrinter {
        .typed(
            StorageV1.CSINode.self,
            [
                Columns.name,
                Columns.column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
                Columns.age,
            ]
        ) { node, now in
            Row(cells: [
                .string(node.metadata.name ?? ""),
                .int(Int64(node.spec.drivers.count)),
                .string(Format.age(node.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var csiStorageCapacities: ResourcePrinter {
        let capacity = "io.k8s.api.storage.v1.CSIStorageCapacity"
        return .typed(
            StorageV1.CSIStorageCapacity.self,
            [
                Columns.name,
                Columns.column("StorageClassName", Columns.doc(capacity, "storageClassName")),
                Columns.column("Capacity", Columns.doc(capacity, "capacity")),
            ]
        ) { capacity, _ in
            Row(cells: [
                .string(capacity.metadata.name ?? ""),
                .string(capacity.storageClassName),
                .string(capacity.capacity?.string ?? "<unset>"),
            ])
        }
    }

    static var volumeAttributesClasses: ResourcePrinter {
        .typed(
            StorageV1.VolumeAttributesClass.self,
            [
                Columns.name,
                Columns.column("DriverName", Columns.doc("io.k8s.api.storage.v1.VolumeAttributesClass", "driverName")),
                Columns.age,
            ]
        ) { attributesClass, now in
            var name = attributesClass.metadata.name ?? ""
            if attributesClass.metadata.annotations?["storage.kubernetes.io/is-default-class"] == "true" {
                name += " (default)"
            }
            return Row(cells: [
                .string(name),
                .string(attributesClass.driverName),
                .string(Format.age(attributesClass.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var webhookColumns: [MetaV1.TableColumnDefinition] {
        [
            Columns.name,
            Columns.column(
                "Webhooks",
                "integer",
                "Webhooks indicates the number of webhooks registered in this configuration"
            ),
            Columns.age,
        ]
    }

    static var validatingWebhookConfigurations: ResourcePrinter {
        .typed(AdmissionRegistrationV1.ValidatingWebhookConfiguration.self, Self.webhookColumns) { configuration, now in
            Row(cells: [
                .string(configuration.metadata.name ?? ""),
                .int(Int64(configuration.webhooks?.count ?? 0)),
                .string(Format.age(configuration.metadata.creationTimestamp, now: now)),
            ])
        }
    }

    static var mutatingWebhookConfigurations: ResourcePrinter {
        .typed(AdmissionRegistrationV1.MutatingWebhookConfiguration.self, Self.webhookColumns) { configuration, now in
            Row(cells: [
                .string(configuration.metadata.name ?? ""),
                .int(Int64(configuration.webhooks?.count ?? 0)),
                .string(Format.age(configuration.metadata.creationTimestamp, now: now)),
            ])
        }
    }
}
