import SkiffAPI
package import SkiffAPIMachinery

/// `autoscaling/v1` HorizontalPodAutoscalers served from the `autoscaling/v2` objects the store keeps, as upstream
/// converts them (↔ `pkg/apis/autoscaling/v1/conversion.go`).
///
/// v1 has one metric, `targetCPUUtilizationPercentage`; everything else v2 can say travels in annotations when an
/// object is read as v1 and comes back when it is written as v1, so nothing is lost either way:
/// - `autoscaling.alpha.kubernetes.io/metrics`: the metrics other than CPU utilization, in v1's annotation
///   format (v2beta1-style sources: `targetAverageUtilization`, `metricName`, ...);
/// - `autoscaling.alpha.kubernetes.io/current-metrics`: every current metric (the CPU one too, for its raw value);
/// - `autoscaling.alpha.kubernetes.io/conditions`: the status conditions;
/// - `autoscaling.alpha.kubernetes.io/behavior`: the scaling behavior, with Go's field names, as upstream writes it.
///
/// A v1 object without a CPU target and without other metrics gets upstream's default, 80% CPU utilization.
package struct AutoscalerConversion: VersionConverter {
    package static let metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
    package static let currentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
    package static let conditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
    package static let behaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
    static let roundTripAnnotations = [metricsAnnotation, currentMetricsAnnotation, conditionsAnnotation, behaviorAnnotation]
    /// `DefaultCPUUtilization`.
    static let defaultCPUUtilization: Int32 = 80

    package init() {}

    // MARK: v2 → v1

    package func toServed(_ stored: JSONValue) throws -> JSONValue {
        let autoscaler = try JSONValueDecoder().decode(AutoscalingV2.HorizontalPodAutoscaler.self, from: stored)
        var metadata = autoscaler.metadata.withPlaceholderResourceVersion()
        var annotations = (metadata.annotations ?? [:]).filter { !Self.roundTripAnnotations.contains($0.key) }
        let spec = autoscaler.spec
        let metrics = spec.metrics ?? []
        var served = AutoscalingV1.HorizontalPodAutoscalerSpec(
            scaleTargetRef: AutoscalingV1.CrossVersionObjectReference(
                kind: spec.scaleTargetRef.kind,
                name: spec.scaleTargetRef.name,
                apiVersion: spec.scaleTargetRef.apiVersion
            ),
            minReplicas: spec.minReplicas,
            maxReplicas: spec.maxReplicas
        )
        // The first CPU resource metric gives the target, if it is a utilization.
        if let cpu = metrics.first(where: Self.isCPUResource) {
            served.targetCPUUtilizationPercentage = cpu.resource?.target.averageUtilization
        }
        let others = metrics.filter { !(Self.isCPUResource($0) && $0.resource?.target.averageUtilization != nil) }
        if !others.isEmpty {
            annotations[Self.metricsAnnotation] = try Self.annotation(others.map { try Self.v1MetricSpec($0) })
        }
        let status = autoscaler.status
        var servedStatus = AutoscalingV1.HorizontalPodAutoscalerStatus(
            observedGeneration: status?.observedGeneration,
            lastScaleTime: status?.lastScaleTime,
            currentReplicas: status?.currentReplicas ?? 0,
            desiredReplicas: status?.desiredReplicas ?? 0
        )
        let current = status?.currentMetrics ?? []
        for metric in current where metric.type == "Resource" && metric.resource?.name == "cpu" {
            if let utilization = metric.resource?.current.averageUtilization {
                servedStatus.currentCPUUtilizationPercentage = utilization
            }
        }
        if !current.isEmpty {
            annotations[Self.currentMetricsAnnotation] = try Self.annotation(current.map { try Self.v1MetricStatus($0) })
        }
        if let behavior = spec.behavior {
            annotations[Self.behaviorAnnotation] = try Self.annotation(Self.goBehavior(behavior))
        }
        if let conditions = status?.conditions, !conditions.isEmpty {
            annotations[Self.conditionsAnnotation] = try Self.annotation(JSONValueEncoder().encode(conditions))
        }
        metadata.annotations = annotations.isEmpty && metadata.annotations == nil ? nil : annotations
        let v1 = AutoscalingV1.HorizontalPodAutoscaler(metadata: metadata, spec: served, status: servedStatus)
        return try JSONValueEncoder().encode(v1)
    }

    // MARK: v1 → v2

    package func toStorage(_ served: JSONValue) throws -> JSONValue {
        let autoscaler = try JSONValueDecoder().decode(AutoscalingV1.HorizontalPodAutoscaler.self, from: served)
        var metadata = autoscaler.metadata.withPlaceholderResourceVersion()
        let annotations = metadata.annotations ?? [:]
        let spec = autoscaler.spec
        var metrics: [AutoscalingV2.MetricSpec] = []
        if let text = annotations[Self.metricsAnnotation] {
            for metric in try Self.parseAnnotation(text, Self.metricsAnnotation) {
                metrics.append(try JSONValueDecoder().decode(AutoscalingV2.MetricSpec.self, from: try Self.v2MetricSpec(metric)))
            }
        }
        if let cpu = spec.targetCPUUtilizationPercentage {
            metrics.append(Self.cpuUtilization(cpu))
        }
        if metrics.isEmpty {
            metrics = [Self.cpuUtilization(Self.defaultCPUUtilization)]
        }
        var stored = AutoscalingV2.HorizontalPodAutoscalerSpec(
            scaleTargetRef: AutoscalingV2.CrossVersionObjectReference(
                kind: spec.scaleTargetRef.kind,
                name: spec.scaleTargetRef.name,
                apiVersion: spec.scaleTargetRef.apiVersion
            ),
            minReplicas: spec.minReplicas,
            maxReplicas: spec.maxReplicas,
            metrics: metrics
        )
        if let text = annotations[Self.behaviorAnnotation] {
            let behavior = try Self.parseValue(text, Self.behaviorAnnotation)
            stored.behavior = try JSONValueDecoder().decode(
                AutoscalingV2.HorizontalPodAutoscalerBehavior.self,
                from: Self.kubeBehavior(behavior)
            )
        }
        var status: AutoscalingV2.HorizontalPodAutoscalerStatus?
        if let servedStatus = autoscaler.status {
            var converted = AutoscalingV2.HorizontalPodAutoscalerStatus(
                observedGeneration: servedStatus.observedGeneration,
                lastScaleTime: servedStatus.lastScaleTime,
                // v2 omits a zero currentReplicas (`omitempty`).
                currentReplicas: servedStatus.currentReplicas == 0 ? nil : servedStatus.currentReplicas,
                desiredReplicas: servedStatus.desiredReplicas
            )
            if let utilization = servedStatus.currentCPUUtilizationPercentage {
                converted.currentMetrics = [
                    AutoscalingV2.MetricStatus(
                        type: "Resource",
                        resource: AutoscalingV2.ResourceMetricStatus(
                            name: "cpu",
                            current: AutoscalingV2.MetricValueStatus(averageUtilization: utilization)
                        )
                    )
                ]
            }
            // The annotation has every current metric: it replaces what the CPU field said.
            if let text = annotations[Self.currentMetricsAnnotation] {
                converted.currentMetrics = try Self.parseAnnotation(text, Self.currentMetricsAnnotation).map {
                    try JSONValueDecoder().decode(AutoscalingV2.MetricStatus.self, from: try Self.v2MetricStatus($0))
                }
            }
            if let text = annotations[Self.conditionsAnnotation] {
                converted.conditions = try JSONValueDecoder().decode(
                    [AutoscalingV2.HorizontalPodAutoscalerCondition].self,
                    from: .array(try Self.parseAnnotation(text, Self.conditionsAnnotation))
                )
            }
            status = converted
        }
        let remaining = annotations.filter { !Self.roundTripAnnotations.contains($0.key) }
        metadata.annotations = remaining.isEmpty ? nil : remaining
        let v2 = AutoscalingV2.HorizontalPodAutoscaler(metadata: metadata, spec: stored, status: status)
        return try JSONValueEncoder().encode(v2)
    }

    // MARK: Helpers

    static func isCPUResource(_ metric: AutoscalingV2.MetricSpec) -> Bool {
        metric.type == "Resource" && metric.resource?.name == "cpu"
    }

    static func cpuUtilization(_ percent: Int32) -> AutoscalingV2.MetricSpec {
        AutoscalingV2.MetricSpec(
            type: "Resource",
            resource: AutoscalingV2.ResourceMetricSource(
                name: "cpu",
                target: AutoscalingV2.MetricTarget(type: "Utilization", averageUtilization: percent)
            )
        )
    }

    static func annotation(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }

    static func annotation(_ values: [JSONValue]) -> String {
        Self.annotation(JSONValue.array(values))
    }

    static func parseValue(_ text: String, _ name: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(Array(text.utf8))
        } catch {
            throw APIError.badRequest("the annotation \(name) is not valid JSON: \(error)")
        }
    }

    static func parseAnnotation(_ text: String, _ name: String) throws -> [JSONValue] {
        let value = try Self.parseValue(text, name)
        guard let array = value.arrayValue else {
            throw APIError.badRequest("the annotation \(name) must hold a JSON array")
        }
        return array
    }

    /// Builds an object from the members that are present, in order.
    static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(members.compactMap { key, value in value.map { (key, $0) } }))
    }

    /// v1's non-pointer quantities are always written, "0" when unset.
    static func quantity(_ value: JSONValue?) -> JSONValue { value ?? .string("0") }

    // v2 MetricSpec → v1's annotation MetricSpec (↔ `Convert_autoscaling_MetricSpec_To_v1_MetricSpec`).
    static func v1MetricSpec(_ metric: AutoscalingV2.MetricSpec) throws -> JSONValue {
        let json = try JSONValueEncoder().encode(metric)
        var members: [(String, JSONValue?)] = [("type", json["type"])]
        if let source = json["object"] {
            let target = source["target"]
            members.append(
                (
                    "object",
                    Self.object([
                        ("target", source["describedObject"]), ("metricName", source["metric"]?["name"]),
                        ("targetValue", Self.quantity(target?["value"])), ("selector", source["metric"]?["selector"]),
                        ("averageValue", target?["averageValue"]),
                    ])
                )
            )
        }
        if let source = json["pods"] {
            members.append(
                (
                    "pods",
                    Self.object([
                        ("metricName", source["metric"]?["name"]),
                        ("targetAverageValue", Self.quantity(source["target"]?["averageValue"])),
                        ("selector", source["metric"]?["selector"]),
                    ])
                )
            )
        }
        if let source = json["resource"] {
            members.append(
                (
                    "resource",
                    Self.object([
                        ("name", source["name"]), ("targetAverageUtilization", source["target"]?["averageUtilization"]),
                        ("targetAverageValue", source["target"]?["averageValue"]),
                    ])
                )
            )
        }
        if let source = json["containerResource"] {
            members.append(
                (
                    "containerResource",
                    Self.object([
                        ("name", source["name"]), ("targetAverageUtilization", source["target"]?["averageUtilization"]),
                        ("targetAverageValue", source["target"]?["averageValue"]), ("container", source["container"]),
                    ])
                )
            )
        }
        if let source = json["external"] {
            members.append(
                (
                    "external",
                    Self.object([
                        ("metricName", source["metric"]?["name"]), ("metricSelector", source["metric"]?["selector"]),
                        ("targetValue", source["target"]?["value"]), ("targetAverageValue", source["target"]?["averageValue"]),
                    ])
                )
            )
        }
        return Self.object(members)
    }

    // v1's annotation MetricSpec → v2 MetricSpec (↔ `Convert_v1_MetricSpec_To_autoscaling_MetricSpec`).
    static func v2MetricSpec(_ metric: JSONValue) throws -> JSONValue {
        var members: [(String, JSONValue?)] = [("type", metric["type"])]
        func identifier(_ name: JSONValue?, _ selector: JSONValue?) -> JSONValue {
            Self.object([("name", name ?? .string("")), ("selector", selector)])
        }
        if let source = metric["object"] {
            let average = source["averageValue"]
            members.append(
                (
                    "object",
                    Self.object([
                        ("describedObject", source["target"]),
                        (
                            "target",
                            Self.object([
                                ("type", .string(average == nil ? "Value" : "AverageValue")),
                                ("value", Self.quantity(source["targetValue"])), ("averageValue", average),
                            ])
                        ),
                        ("metric", identifier(source["metricName"], source["selector"])),
                    ])
                )
            )
        }
        if let source = metric["pods"] {
            members.append(
                (
                    "pods",
                    Self.object([
                        ("metric", identifier(source["metricName"], source["selector"])),
                        (
                            "target",
                            Self.object([
                                ("type", .string("AverageValue")),
                                ("averageValue", Self.quantity(source["targetAverageValue"])),
                            ])
                        ),
                    ])
                )
            )
        }
        for key in ["resource", "containerResource"] {
            guard let source = metric[key] else { continue }
            let utilization = source["targetAverageUtilization"]
            members.append(
                (
                    key,
                    Self.object([
                        ("name", source["name"]),
                        (
                            "target",
                            Self.object([
                                ("type", .string(utilization == nil ? "AverageValue" : "Utilization")),
                                ("averageValue", source["targetAverageValue"]), ("averageUtilization", utilization),
                            ])
                        ),
                        ("container", source["container"]),
                    ])
                )
            )
        }
        if let source = metric["external"] {
            let average = source["targetAverageValue"]
            members.append(
                (
                    "external",
                    Self.object([
                        ("metric", identifier(source["metricName"], source["metricSelector"])),
                        (
                            "target",
                            Self.object([
                                ("type", .string(average == nil ? "Value" : "AverageValue")),
                                ("value", source["targetValue"]), ("averageValue", average),
                            ])
                        ),
                    ])
                )
            )
        }
        return Self.object(members)
    }

    // v2 MetricStatus → v1's annotation MetricStatus (↔ `Convert_autoscaling_MetricStatus_To_v1_MetricStatus`).
    static func v1MetricStatus(_ metric: AutoscalingV2.MetricStatus) throws -> JSONValue {
        let json = try JSONValueEncoder().encode(metric)
        var members: [(String, JSONValue?)] = [("type", json["type"])]
        if let source = json["object"] {
            members.append(
                (
                    "object",
                    Self.object([
                        ("target", source["describedObject"]), ("metricName", source["metric"]?["name"]),
                        ("currentValue", Self.quantity(source["current"]?["value"])),
                        ("selector", source["metric"]?["selector"]), ("averageValue", source["current"]?["averageValue"]),
                    ])
                )
            )
        }
        if let source = json["pods"] {
            members.append(
                (
                    "pods",
                    Self.object([
                        ("metricName", source["metric"]?["name"]),
                        ("currentAverageValue", Self.quantity(source["current"]?["averageValue"])),
                        ("selector", source["metric"]?["selector"]),
                    ])
                )
            )
        }
        for key in ["resource", "containerResource"] {
            guard let source = json[key] else { continue }
            members.append(
                (
                    key,
                    Self.object([
                        ("name", source["name"]), ("currentAverageUtilization", source["current"]?["averageUtilization"]),
                        ("currentAverageValue", Self.quantity(source["current"]?["averageValue"])),
                        ("container", source["container"]),
                    ])
                )
            )
        }
        if let source = json["external"] {
            members.append(
                (
                    "external",
                    Self.object([
                        ("metricName", source["metric"]?["name"]), ("metricSelector", source["metric"]?["selector"]),
                        ("currentValue", Self.quantity(source["current"]?["value"])),
                        ("currentAverageValue", source["current"]?["averageValue"]),
                    ])
                )
            )
        }
        return Self.object(members)
    }

    // v1's annotation MetricStatus → v2 MetricStatus (↔ `Convert_v1_MetricStatus_To_autoscaling_MetricStatus`).
    static func v2MetricStatus(_ metric: JSONValue) throws -> JSONValue {
        var members: [(String, JSONValue?)] = [("type", metric["type"])]
        func identifier(_ name: JSONValue?, _ selector: JSONValue?) -> JSONValue {
            Self.object([("name", name ?? .string("")), ("selector", selector)])
        }
        if let source = metric["object"] {
            members.append(
                (
                    "object",
                    Self.object([
                        ("metric", identifier(source["metricName"], source["selector"])),
                        (
                            "current",
                            Self.object([("value", source["currentValue"]), ("averageValue", source["averageValue"])])
                        ),
                        ("describedObject", source["target"]),
                    ])
                )
            )
        }
        if let source = metric["pods"] {
            members.append(
                (
                    "pods",
                    Self.object([
                        ("metric", identifier(source["metricName"], source["selector"])),
                        ("current", Self.object([("averageValue", source["currentAverageValue"])])),
                    ])
                )
            )
        }
        for key in ["resource", "containerResource"] {
            guard let source = metric[key] else { continue }
            members.append(
                (
                    key,
                    Self.object([
                        ("name", source["name"]),
                        (
                            "current",
                            Self.object([
                                ("averageValue", source["currentAverageValue"]),
                                ("averageUtilization", source["currentAverageUtilization"]),
                            ])
                        ),
                        ("container", source["container"]),
                    ])
                )
            )
        }
        if let source = metric["external"] {
            members.append(
                (
                    "external",
                    Self.object([
                        ("metric", identifier(source["metricName"], source["metricSelector"])),
                        (
                            "current",
                            Self.object([("value", source["currentValue"]), ("averageValue", source["currentAverageValue"])])
                        ),
                    ])
                )
            )
        }
        return Self.object(members)
    }

    /// The behavior as upstream marshals its internal type into the annotation: Go's field names, `null` for
    /// what is unset.
    static func goBehavior(_ behavior: AutoscalingV2.HorizontalPodAutoscalerBehavior) throws -> JSONValue {
        func rules(_ rules: AutoscalingV2.HPAScalingRules?) throws -> JSONValue {
            guard let rules else { return .null }
            var members: [(String, JSONValue?)] = [
                ("StabilizationWindowSeconds", rules.stabilizationWindowSeconds.map { .int(Int64($0)) } ?? .null),
                ("SelectPolicy", rules.selectPolicy.map { .string($0) } ?? .null),
                (
                    "Policies",
                    rules.policies.map { policies in
                        .array(
                            policies.map {
                                Self.object([
                                    ("Type", .string($0.type)), ("Value", .int(Int64($0.value))),
                                    ("PeriodSeconds", .int(Int64($0.periodSeconds))),
                                ])
                            }
                        )
                    } ?? .null
                ),
            ]
            if let tolerance = rules.tolerance { members.append(("Tolerance", try JSONValueEncoder().encode(tolerance))) }
            return Self.object(members)
        }
        return Self.object([("ScaleUp", try rules(behavior.scaleUp)), ("ScaleDown", try rules(behavior.scaleDown))])
    }

    /// The annotation's behavior (Go's field names) as the v2 object's `behavior`.
    static func kubeBehavior(_ value: JSONValue) -> JSONValue {
        func present(_ value: JSONValue?) -> JSONValue? {
            if let value, value != .null { return value }
            return nil
        }
        func rules(_ rules: JSONValue?) -> JSONValue? {
            guard let rules = present(rules) else { return nil }
            return Self.object([
                ("stabilizationWindowSeconds", present(rules["StabilizationWindowSeconds"])),
                ("selectPolicy", present(rules["SelectPolicy"])),
                (
                    "policies",
                    present(rules["Policies"])?.arrayValue.map { policies in
                        .array(
                            policies.map {
                                Self.object([
                                    ("type", $0["Type"]), ("value", $0["Value"]), ("periodSeconds", $0["PeriodSeconds"]),
                                ])
                            }
                        )
                    }
                ),
                ("tolerance", present(rules["Tolerance"])),
            ])
        }
        return Self.object([("scaleUp", rules(value["ScaleUp"])), ("scaleDown", rules(value["ScaleDown"]))])
    }
}

extension MetaV1.ObjectMeta {
    /// The metadata with a placeholder resourceVersion, so the encoder writes the member in Go's position and the
    /// store (``StoredObject/encode(_:)``) replaces it rather than appending it.
    func withPlaceholderResourceVersion() -> MetaV1.ObjectMeta {
        var metadata = self
        metadata.resourceVersion = "0"
        return metadata
    }
}
