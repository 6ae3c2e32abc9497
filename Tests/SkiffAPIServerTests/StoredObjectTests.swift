import Foundation
import SkiffAPI
import SkiffAPIMachinery
@testable import SkiffAPIServer
import Testing

/// The stored form renders back to the object with its resource version.
struct StoredObjectTests {
    static let objects: [String] = [
        // A created object: the placeholder resourceVersion sits after uid, as the typed encoder writes it.
        #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default","uid":"u","resourceVersion":"0","creationTimestamp":"2026-11-22T16:00:00Z","labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]},"status":{"phase":"Pending"}}"#,
        // No resourceVersion: it goes last in metadata.
        #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","namespace":"default"},"data":{"a":"<b>&\u2028\"x\""}}"#,
        // resourceVersion last.
        #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","resourceVersion":"12"}}"#,
        // A nested metadata with a resourceVersion is left alone.
        #"{"kind":"PodTemplate","apiVersion":"v1","metadata":{"name":"t","resourceVersion":"0"},"template":{"metadata":{"name":"x","resourceVersion":"3"}}}"#,
        // Keys and values that need escaping.
        #"{"metadata":{"name":"e","annotations":{"a<b":"\n\t\u0001"},"resourceVersion":"0"},"spec":{"k":[1,2.5,true,null,{"x":"y"}]}}"#,
    ]

    @Test(arguments: Self.objects)
    func renderedObjectIsTheObjectWithItsResourceVersion(_ json: String) throws {
        let object = try JSONValue.parse(Array(json.utf8))
        let stored = try #require(StoredObject(value: StoredObject.encode(object)))
        let rendered = try JSONValue.parse(stored.render(resourceVersion: "42"))
        #expect(rendered["metadata"]?["resourceVersion"] == "42")
        #expect(JSONValueEncoderSupport.removingResourceVersion(rendered) == JSONValueEncoderSupport.removingResourceVersion(object))
    }
}
