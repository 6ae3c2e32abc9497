import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

let scaleTarget = #""scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5"#

/// HorizontalPodAutoscaler metrics (`validateMetrics` and what it calls), with upstream's wording.
struct AutoscalingValidationTests {
    static func v2(_ name: String, metrics: String, minReplicas: Int = 1, causes: [ExpectedCause]) -> ValidationCase {
        ValidationCase(
            name: name,
            plural: "horizontalpodautoscalers",
            group: "autoscaling",
            version: "v2",
            manifest: #"{"metadata":{"name":"web"},"spec":{\#(scaleTarget),"minReplicas":\#(minReplicas),"metrics":\#(metrics)}}"#,
            causes: causes
        )
    }

    static let cases: [ValidationCase] = [
        v2(
            "a CPU utilization metric",
            metrics: #"[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]"#,
            causes: []
        ),
        v2(
            "an unknown metric source type",
            metrics: #"[{"type":"Bogus"}]"#,
            causes: [
                ExpectedCause(
                    "spec.metrics[0].type",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource""#
                ),
                ExpectedCause(
                    "spec.metrics[0].type",
                    "FieldValueNotSupported",
                    #"Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource""#
                ),
            ]
        ),
        v2(
            "the source the type names must be set",
            metrics: #"[{"type":"Pods"}]"#,
            causes: [
                ExpectedCause("spec.metrics[0].pods", "FieldValueRequired", "Required value: must populate information for the given metric source")
            ]
        ),
        v2(
            "only the source the type names",
            metrics: #"[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}},"pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}]"#,
            causes: [
                ExpectedCause("spec.metrics[0].pods", "FieldValueForbidden", "Forbidden: must populate the given metric source only")
            ]
        ),
        v2(
            "targets are positive and of a known type",
            metrics: #"[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Percent","averageUtilization":0}}}]"#,
            causes: [
                ExpectedCause(
                    "spec.metrics[0].resource.target.type",
                    "FieldValueInvalid",
                    #"Invalid value: "Percent": must be either Utilization, Value, or AverageValue"#
                ),
                ExpectedCause(
                    "spec.metrics[0].resource.target.averageUtilization",
                    "FieldValueInvalid",
                    "Invalid value: 0: must be greater than 0"
                ),
            ]
        ),
        v2(
            "a resource target is a utilization or an average value, not both",
            metrics: #"[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1Gi","averageUtilization":50}}}]"#,
            causes: [
                ExpectedCause(
                    "spec.metrics[0].resource.target.averageValue",
                    "FieldValueForbidden",
                    "Forbidden: may not set both a target raw value and a target utilization"
                )
            ]
        ),
        v2(
            "a pods metric needs a name and a positive average value",
            metrics: #"[{"type":"Pods","pods":{"metric":{"name":""},"target":{"type":"AverageValue","averageValue":"-1"}}}]"#,
            causes: [
                ExpectedCause("spec.metrics[0].pods.metric.name", "FieldValueRequired", "Required value: must specify a metric name"),
                ExpectedCause("spec.metrics[0].pods.target.averageValue", "FieldValueInvalid", #"Invalid value: "-1": must be positive"#),
            ]
        ),
        v2(
            "a container resource names a standard resource and a container",
            metrics: #"[{"type":"ContainerResource","containerResource":{"name":"gpu","container":"Web_1","target":{"type":"Utilization","averageUtilization":60}}}]"#,
            causes: [
                ExpectedCause(
                    "spec.metrics[0].containerResource.name",
                    "FieldValueInvalid",
                    #"Invalid value: "gpu": must be a standard resource type or fully qualified"#
                ),
                ExpectedCause(
                    "spec.metrics[0].containerResource.name",
                    "FieldValueInvalid",
                    #"Invalid value: "gpu": must be a standard resource for containers"#
                ),
                ExpectedCause(
                    "spec.metrics[0].containerResource.container",
                    "FieldValueInvalid",
                    #"Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#
                ),
            ]
        ),
        v2(
            "an external metric is a value or an average value, not both",
            metrics: #"[{"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"Value","value":"5","averageValue":"1"}}}]"#,
            causes: [
                ExpectedCause(
                    "spec.metrics[0].external.target.value",
                    "FieldValueForbidden",
                    "Forbidden: may not set both a target value for metric and a per-pod target"
                )
            ]
        ),
        v2(
            "an object metric names its object",
            metrics: #"[{"type":"Object","object":{"describedObject":{"kind":"Ingress"},"metric":{"name":"hits"},"target":{"type":"Value"}}}]"#,
            causes: [
                ExpectedCause("spec.metrics[0].object.describedObject.name", "FieldValueRequired", "Required value"),
                ExpectedCause(
                    "spec.metrics[0].object.target.averageValue",
                    "FieldValueRequired",
                    "Required value: must set either a target value or averageValue"
                ),
            ]
        ),
    ]

    @Test(arguments: Self.cases)
    func metricRules(_ c: ValidationCase) throws {
        let causes = try createCauses(c)
        #expect(causes == c.causes, "\(causes)")
    }

    @Test func scalingToZeroNeedsAnObjectOrExternalMetric() {
        let cpu = AutoscalingV2.MetricSpec(
            type: "Resource",
            resource: AutoscalingV2.ResourceMetricSource(
                name: "cpu",
                target: AutoscalingV2.MetricTarget(type: "Utilization", averageUtilization: 50)
            )
        )
        let errors = ClusterValidation.metrics([cpu], path: FieldPath("spec").child("metrics"), minReplicas: 0)
        #expect(
            errors.map(\.description) == [
                "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas"
            ]
        )
        #expect(ClusterValidation.metrics([cpu], path: FieldPath("spec").child("metrics"), minReplicas: 1).isEmpty)
    }
}
