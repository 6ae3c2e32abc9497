import Foundation
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers are one resource stored as v2: v1 reads and writes
/// convert, and what v1 cannot say travels in annotations (upstream's round-trip annotations).
@Suite struct AutoscalerVersionsTests {
    static let v1 = #"""
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,
                 "targetCPUUtilizationPercentage":50}}
        """#
    static let v2 = #"""
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"api","annotations":{"team":"a"}},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"api"},"minReplicas":2,"maxReplicas":9,
                 "metrics":[
                   {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}},
                   {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}},
                   {"type":"Pods","pods":{"metric":{"name":"rps"},"target":{"type":"AverageValue","averageValue":"10"}}}],
                 "behavior":{"scaleDown":{"stabilizationWindowSeconds":120,"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}}}
        """#

    @Test func v1WritesReadAsV2() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", body: Self.v1)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["apiVersion"] == "autoscaling/v1")
            #expect(created.json["spec"]?["minReplicas"] == 1)  // v1's default
            #expect(created.json["spec"]?["targetCPUUtilizationPercentage"] == 50)
            #expect(created.json["metadata"]?["annotations"] == nil)
            let v2 = await client.request("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")
            #expect(v2.status == 200, "\(v2.text)")
            #expect(
                v2.json["spec"]?["metrics"]
                    == [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]]]
            )
            #expect(v2.json["metadata"]?["resourceVersion"] == created.json["metadata"]?["resourceVersion"])
            #expect(v2.json["metadata"]?["uid"] == created.json["metadata"]?["uid"])

            // Without a target, v1 means upstream's default: 80% CPU.
            let bare = #"""
                {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"bare"},
                 "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5}}
                """#
            #expect(await client.request("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", body: bare).status == 201)
            let bareV2 = await client.request("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/bare")
            #expect(bareV2.json["spec"]?["metrics"]?.arrayValue?.first?["resource"]?["target"]?["averageUtilization"] == 80)
            let bareV1 = await client.request("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/bare")
            #expect(bareV1.json["spec"]?["targetCPUUtilizationPercentage"] == 80)
        }
    }

    @Test func v2ReadsAsV1WithRoundTripAnnotationsAndWritesBackLosslessly() async throws {
        try await withTestHandler { client in
            let path = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"
            let created = await client.request("POST", path, body: Self.v2)
            #expect(created.status == 201, "\(created.text)")
            let v1 = await client.request("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/api")
            #expect(v1.status == 200, "\(v1.text)")
            #expect(v1.json["spec"]?["targetCPUUtilizationPercentage"] == 60)
            let annotations = v1.json["metadata"]?["annotations"]
            #expect(annotations?["team"] == "a")
            #expect(
                annotations?[AutoscalerConversion.metricsAnnotation]
                    == .string(
                        #"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},"#
                            + #"{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"10"}}]"#
                    )
            )
            #expect(
                annotations?[AutoscalerConversion.behaviorAnnotation]
                    == .string(
                        #"{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"#
                            + #""ScaleDown":{"StabilizationWindowSeconds":120,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":60}]}}"#
                    )
            )
            #expect(v1.json["status"] == ["currentReplicas": 0, "desiredReplicas": 0])

            // Writing the v1 object back (as kubectl edit or replace would) changes nothing v2 can see.
            let body = v1.text.replacingOccurrences(of: #""maxReplicas":9"#, with: #""maxReplicas":10"#)
            let replaced = await client.request(
                "PUT",
                "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/api",
                body: body
            )
            #expect(replaced.status == 200, "\(replaced.text)")
            let after = await client.request("GET", path + "/api")
            #expect(after.json["spec"]?["maxReplicas"] == 10)
            // The order of metrics follows upstream's conversion: the annotation's first, then the CPU target.
            let metrics = after.json["spec"]?["metrics"]?.arrayValue ?? []
            #expect(metrics.map { $0["resource"]?["name"] ?? $0["pods"]?["metric"]?["name"] ?? .null } == ["memory", "rps", "cpu"])
            #expect(Set(metrics) == Set(created.json["spec"]?["metrics"]?.arrayValue ?? []))
            #expect(after.json["spec"]?["behavior"] == created.json["spec"]?["behavior"])
            #expect(after.json["spec"]?["minReplicas"] == 2)
            #expect(after.json["spec"]?["scaleTargetRef"] == created.json["spec"]?["scaleTargetRef"])
            #expect(after.json["metadata"]?["annotations"] == ["team": "a"])
        }
    }

    @Test func v2StatusReadsAsV1() throws {
        let stored: JSONValue = try JSONValue.parse(
            Array(
                #"""
                {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"s","namespace":"default"},
                 "spec":{"scaleTargetRef":{"kind":"Deployment","name":"s"},"maxReplicas":3,
                         "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]},
                 "status":{"currentReplicas":2,"desiredReplicas":3,
                   "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"250m","averageUtilization":91}}}],
                   "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-11-22T10:00:00Z","reason":"SucceededRescale","message":"ok"}]}}
                """#.utf8
            )
        )
        let served = try AutoscalerConversion().toServed(stored)
        #expect(served["status"]?["currentCPUUtilizationPercentage"] == 91)
        #expect(served["status"]?["currentReplicas"] == 2)
        #expect(
            served["metadata"]?["annotations"]?[AutoscalerConversion.currentMetricsAnnotation]
                == .string(#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":91,"currentAverageValue":"250m"}}]"#)
        )
        #expect(
            served["metadata"]?["annotations"]?[AutoscalerConversion.conditionsAnnotation]
                == .string(#"[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-11-22T10:00:00Z","reason":"SucceededRescale","message":"ok"}]"#)
        )
        let back = try AutoscalerConversion().toStorage(served)
        #expect(back["status"] == stored["status"])
        #expect(back["spec"] == stored["spec"])
        #expect(back["metadata"]?["annotations"] == nil)
    }

    @Test func aBrokenRoundTripAnnotationIsABadRequest() async throws {
        try await withTestHandler { client in
            let body = Self.v1.replacingOccurrences(
                of: #""metadata":{"name":"web"}"#,
                with: #""metadata":{"name":"web","annotations":{"autoscaling.alpha.kubernetes.io/metrics":"[{"}}"#
            )
            let response = await client.request("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", body: body)
            #expect(response.status == 400 || response.status == 422, "\(response.text)")
            #expect(response.text.contains("autoscaling.alpha.kubernetes.io/metrics"), "\(response.text)")
        }
    }
}
