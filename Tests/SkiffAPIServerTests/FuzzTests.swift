import Foundation
import SkiffAPIMachinery
import SkiffAPIServer
import SkiffTestKit
import Testing

/// Random and mutated requests against a live handler: every answer is a well-formed response with a Status body
/// for failures, never a 500, and the server keeps serving.
@Suite struct FuzzTests {
    static let seeds: [String] = [
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f","labels":{"a":"b"}},"data":{"k":"v"}}"#,
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1"}}}]}}"#,
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#,
        #"[{"op":"add","path":"/metadata/labels/x","value":"y"}]"#,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: b\n",
    ]

    static let paths = [
        "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/configmaps/f",
        "/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/pods/p", "/api/v1/namespaces/default/pods/p/status",
        "/apis/apps/v1/namespaces/default/deployments", "/apis/apps/v1/namespaces/default/deployments/d/scale",
        "/api/v1/namespaces/default/secrets", "/api/v1/nodes", "/api/v1/namespaces", "/api/v1/namespaces/default/finalize",
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets", "/api/v1/namespaces/default/pods/p/eviction",
        "/api/v1/namespaces/default/pods/p/binding", "/apis", "/api", "/openapi/v3/apis/apps/v1", "/apis/nope/v1/x",
        "/api/v1/namespaces/%ZZ/pods", "/api/v1/watch/namespaces/default/pods", "/api/v1/namespaces/default/pods/p/log",
    ]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
    static let contentTypes = [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "application/merge-patch+json",
        "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
        "text/plain", "", "application/json; charset=utf-8",
    ]
    static let queries = [
        "", "watch=1&timeoutSeconds=0", "labelSelector=a%3D%3D", "labelSelector=a+in+(b", "fieldSelector=spec.nodeName%3Dx",
        "fieldSelector=bogus", "limit=-1", "limit=2&continue=garbage", "resourceVersion=abc", "resourceVersion=0",
        "resourceVersion=999999999&resourceVersionMatch=Exact", "resourceVersionMatch=Bogus&resourceVersion=1",
        "dryRun=All", "dryRun=Bogus", "fieldValidation=Strict", "fieldValidation=Nope", "gracePeriodSeconds=x",
        "propagationPolicy=Sideways", "sendInitialEvents=true&watch=1", "allowWatchBookmarks=maybe&watch=1",
    ]

    static func mutate(_ bytes: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        switch Int.random(in: 0..<8, using: &random) {
        case 0:
            if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
        case 1:
            if !bytes.isEmpty { bytes.removeLast(Int.random(in: 0...bytes.count, using: &random)) }
        case 2:
            let depth = Int.random(in: 100...5000, using: &random)
            bytes = Array(String(repeating: "[", count: depth).utf8) + bytes
        case 3:
            bytes = Array(#"{"metadata":{"name":"x"},"spec":{"replicas":1e999,"containers":"nope"}}"#.utf8)
        case 4:
            bytes = (0..<Int.random(in: 0...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 5:
            bytes = KubernetesMagic.bytes + bytes
        case 6:
            bytes = Array(#"{"metadata":{"name":"\#(String(repeating: "a", count: 300))"}}"#.utf8)
        default:
            let text = String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: "\"v\"", with: "7")
                .replacingOccurrences(of: "\"i\"", with: "null")
            bytes = Array(text.utf8)
        }
        return bytes
    }

    enum KubernetesMagic {
        static let bytes: [UInt8] = [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x05]
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomAndMutatedRequestsNeverCrashOrFailInternally(seed: UInt64) async throws {
        try await withTestHandler { client in
            var random = SplitMix64(seed: seed)
            var statuses: [Int: Int] = [:]
            for iteration in 0..<400 {
                let method = Self.methods.randomElement(using: &random)!
                let path = Self.paths.randomElement(using: &random)!
                let query = Self.queries.randomElement(using: &random)!
                let contentType = Self.contentTypes.randomElement(using: &random)!
                var body = Array(Self.seeds.randomElement(using: &random)!.utf8)
                if Bool.random(using: &random) { body = Self.mutate(body, using: &random) }
                let target = query.isEmpty ? path : path + "?" + query
                let reply = await client.request(method, target, body: String(decoding: body, as: UTF8.self), contentType: contentType)
                let context = "seed \(seed) #\(iteration): \(method) \(target) [\(contentType)] → \(reply.status) \(reply.text.prefix(300))"
                statuses[reply.status, default: 0] += 1
                #expect(reply.status != 500, "\(context)")
                #expect((200...599).contains(reply.status), "\(context)")
                if reply.status >= 400 {
                    #expect(reply.json["kind"] == "Status", "\(context)")
                    #expect(reply.json["code"] == .int(Int64(reply.status)), "\(context)")
                    #expect(reply.text.hasSuffix("\n"), "\(context)")
                }
            }
            // The mix must reach both the success paths and the error paths to mean anything.
            #expect(statuses.filter { (200..<300).contains($0.key) }.values.reduce(0, +) >= 20, "\(statuses)")
            #expect(statuses.keys.filter { $0 >= 400 }.count >= 5, "\(statuses)")
            let ready = await client.request("GET", "/readyz")
            #expect(ready.status == 200)
            let list = await client.request("GET", "/api/v1/namespaces")
            #expect(list.status == 200)
        }
    }
}
