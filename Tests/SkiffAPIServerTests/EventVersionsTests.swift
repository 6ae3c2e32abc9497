import Foundation
import SkiffAPIMachinery
@testable import SkiffAPIServer
import SkiffStorage
import Testing

/// `v1` and `events.k8s.io/v1` Events are one resource stored once: each API sees the other's writes, converted.
@Suite struct EventVersionsTests {
    static let coreEvent = #"""
        {"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","namespace":"default","name":"p","uid":"u1"},
         "reason":"Scheduled","message":"Successfully assigned default/p to n1","type":"Normal",
         "source":{"component":"default-scheduler"},"count":1,"reportingComponent":"default-scheduler",
         "reportingInstance":"default-scheduler-host","eventTime":"2026-11-22T07:00:00.000000Z","action":"Binding"}
        """#
    static let newEvent = #"""
        {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e2"},
         "eventTime":"2026-11-22T07:00:01.000000Z","reportingController":"default-scheduler",
         "reportingInstance":"default-scheduler-host","action":"Scheduling","reason":"FailedScheduling",
         "regarding":{"kind":"Pod","namespace":"default","name":"q"},"note":"0/1 nodes are available.",
         "type":"Warning","series":{"count":3,"lastObservedTime":"2026-11-22T07:00:09.000000Z"}}
        """#

    @Test func coreEventsReadAsEventsK8sIO() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", "/api/v1/namespaces/default/events", body: Self.coreEvent)
            #expect(created.status == 201, "\(created.text)")
            let read = await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events/e1")
            #expect(read.status == 200, "\(read.text)")
            #expect(read.json["apiVersion"] == "events.k8s.io/v1")
            #expect(read.json["note"] == "Successfully assigned default/p to n1")
            #expect(read.json["regarding"]?["name"] == "p")
            #expect(read.json["reportingController"] == "default-scheduler")
            #expect(read.json["deprecatedSource"]?["component"] == "default-scheduler")
            #expect(read.json["deprecatedCount"] == 1)
            #expect(read.json["message"] == nil)
            let list = await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events")
            #expect(list.json["items"]?.arrayValue?.first?["note"] == "Successfully assigned default/p to n1", "\(list.text)")
            let all = await client.request("GET", "/apis/events.k8s.io/v1/events?limit=500")
            #expect(all.json["items"]?.arrayValue?.count == 1, "\(all.text)")
            // One object: the same resource version and uid in both APIs.
            #expect(read.json["metadata"]?["resourceVersion"] == created.json["metadata"]?["resourceVersion"])
            #expect(read.json["metadata"]?["uid"] == created.json["metadata"]?["uid"])
            // Go's member order: kind, apiVersion, metadata (with resourceVersion in its place), eventTime, ...
            #expect(read.text.hasPrefix(#"{"kind":"Event","apiVersion":"events.k8s.io/v1","metadata":{"name":"e1","namespace":"default","uid":"#))
        }
    }

    @Test func eventsK8sIOWritesReadAsCoreEvents() async throws {
        try await withTestHandler { client in
            let created = await client.request("POST", "/apis/events.k8s.io/v1/namespaces/default/events", body: Self.newEvent)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["note"] == "0/1 nodes are available.")
            #expect(created.json["series"]?["count"] == 3)
            let core = await client.request("GET", "/api/v1/namespaces/default/events/e2")
            #expect(core.status == 200, "\(core.text)")
            #expect(core.json["message"] == "0/1 nodes are available.")
            #expect(core.json["involvedObject"]?["name"] == "q")
            #expect(core.json["reportingComponent"] == "default-scheduler")
            #expect(core.json["series"]?["count"] == 3)
            // kubectl describe finds it by the core field selectors.
            let found = await client.request(
                "GET",
                "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dq,involvedObject.kind%3DPod"
            )
            #expect(found.json["items"]?.arrayValue?.count == 1)
            // An update through one API with the other's resource version succeeds (compare-and-swap on one key).
            var updated = try #require(created.json.objectValue)
            updated["series"] = try JSONValue.parse(Array(#"{"count":4,"lastObservedTime":"2026-11-22T07:00:19.000000Z"}"#.utf8))
            updated["metadata"] = core.json["metadata"]
            let put = await client.request(
                "PUT",
                "/apis/events.k8s.io/v1/namespaces/default/events/e2",
                body: String(decoding: JSONValue.object(updated).serialized(), as: UTF8.self)
            )
            #expect(put.status == 200, "\(put.text)")
            let again = await client.request("GET", "/api/v1/namespaces/default/events/e2")
            #expect(again.json["series"]?["count"] == 4)
            let conflict = await client.request(
                "PUT",
                "/apis/events.k8s.io/v1/namespaces/default/events/e2",
                body: String(decoding: JSONValue.object(updated).serialized(), as: UTF8.self)
            )
            #expect(conflict.status == 409)
            // A name clash across the two APIs is a clash: it is one resource.
            let clash = await client.request(
                "POST",
                "/api/v1/namespaces/default/events",
                body: Self.coreEvent.replacingOccurrences(of: #""name":"e1""#, with: #""name":"e2""#)
            )
            #expect(clash.status == 409, "\(clash.text)")
            #expect(clash.json["reason"] == "AlreadyExists")
        }
    }

    /// The events.k8s.io/v1 view caches nothing until it is first read; then its reads see every write before them,
    /// and a watch from a list's resource version sees every write after it.
    @Test func eventsK8sIOCacheStartsWithItsFirstRead() async throws {
        try await withTestHandler { client in
            let view = try #require(client.handler.store(group: "events.k8s.io", version: "v1", resource: "events"))
            let core = try #require(client.handler.store(group: "", version: "v1", resource: "events"))
            #expect(view.cachesOnDemand && !core.cachesOnDemand)
            let created = await client.request("POST", "/api/v1/namespaces/default/events", body: Self.coreEvent)
            #expect(created.status == 201, "\(created.text)")
            let written = await client.request("POST", "/apis/events.k8s.io/v1/namespaces/default/events", body: Self.newEvent)
            #expect(written.status == 201, "\(written.text)")
            #expect(core.cacher.isReady)
            #expect(!view.cacher.isReady)  // writes through the view do not start its cache

            let list = await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events?resourceVersion=0")
            #expect(list.status == 200, "\(list.text)")
            #expect(list.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["e1", "e2"])
            #expect(view.cacher.isReady)
            let from = try #require(list.json["metadata"]?["resourceVersion"]?.stringValue)
            let lines = try await client.watchLines(
                "/apis/events.k8s.io/v1/namespaces/default/events?watch=1&resourceVersion=\(from)",
                count: 1
            ) {
                await client.request(
                    "POST",
                    "/api/v1/namespaces/default/events",
                    body: Self.coreEvent.replacingOccurrences(of: #""name":"e1""#, with: #""name":"e3""#)
                )
            }
            #expect(lines.first?["type"] == "ADDED")
            #expect(lines.first?["object"]?["metadata"]?["name"] == "e3")
            #expect(lines.first?["object"]?["apiVersion"] == "events.k8s.io/v1")
        }
    }

    @Test func eventsK8sIOWatchSeesCoreWritesAndSelectsByRegarding() async throws {
        try await withTestHandler { client in
            let lines = try await client.watchLines(
                "/apis/events.k8s.io/v1/namespaces/default/events?watch=1&fieldSelector=regarding.name%3Dp",
                count: 1
            ) {
                await client.request("POST", "/api/v1/namespaces/default/events", body: Self.coreEvent)
            }
            #expect(lines.first?["type"] == "ADDED")
            #expect(lines.first?["object"]?["note"] == "Successfully assigned default/p to n1")
            #expect(lines.first?["object"]?["apiVersion"] == "events.k8s.io/v1")
        }
    }
}
