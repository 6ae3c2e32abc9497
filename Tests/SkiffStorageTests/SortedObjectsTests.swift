@testable import SkiffStorage
import SkiffTestKit
import Testing

/// The watch cache's chunked sorted set: every operation agrees with a plain sorted dictionary, whatever the chunk
/// boundaries, and snapshots are immutable views that slicing and writes never disturb.
struct SortedObjectsTests {
    typealias Objects = SortedObjects<String>

    static func object(_ key: String, _ revision: Int64 = 1) -> CachedObject<String> {
        CachedObject(key: key, value: Array(key.utf8), createRevision: Revision(revision), modRevision: Revision(revision), attributes: key)
    }

    static func check(_ objects: Objects, against reference: [String: Int64]) {
        let keys = reference.keys.sorted { KeyOrder.precedes($0, $1) }
        #expect(objects.count == reference.count)
        #expect(objects.elements.map(\.key) == keys)
        #expect(objects.elements.map(\.modRevision.rawValue) == keys.map { reference[$0]! })
        #expect(Array(objects.snapshot(prefix: "")).map(\.key) == keys)
        #expect(objects.chunks.allSatisfy { !$0.isEmpty && $0.count <= Objects.chunkCapacity })
    }

    /// A replacement with equal attributes keeps the replaced object's copy of them; different ones are kept.
    @Test func equalAttributesShareTheReplacedCopy() {
        func storage(_ text: String) -> UnsafeRawPointer? {
            var text = text
            return text.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        var objects = Objects()
        let attributes = "labels: app=web, tier=frontend"
        var first = CachedObject(key: "/k", value: [1], createRevision: 1, modRevision: 1, attributes: attributes)
        _ = objects.upsert(&first)
        var second = CachedObject(
            key: "/k", value: [2], createRevision: 1, modRevision: 2, attributes: String(decoding: Array(attributes.utf8), as: UTF8.self)
        )
        #expect(storage(second.attributes) != storage(attributes))
        #expect(objects.upsert(&second)?.modRevision == 1)
        #expect(storage(second.attributes) == storage(attributes))
        #expect(storage(objects.object(forKey: "/k")!.attributes) == storage(attributes))
        var third = CachedObject(key: "/k", value: [3], createRevision: 1, modRevision: 3, attributes: "labels: app=db, tier=backend")
        _ = objects.upsert(&third)
        #expect(objects.object(forKey: "/k")?.attributes == "labels: app=db, tier=backend")
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1_000, 5_000])
    func randomWritesMatchASortedDictionary(_ size: Int) {
        var generator = SplitMix64(seed: UInt64(size) &+ 1)
        var objects = Objects()
        var reference: [String: Int64] = [:]
        // Inserts in random order (splitting chunks), replacements, then removals (emptying some chunks).
        for revision in 1...Int64(size * 2 + 1) {
            let key = "/registry/pods/ns-\(Int.random(in: 0..<4, using: &generator))/p\(Int.random(in: 0..<(size + 1), using: &generator))"
            var object = Self.object(key, revision)
            let previous = objects.upsert(&object)
            #expect(previous?.modRevision.rawValue == reference[key])
            reference[key] = revision
        }
        Self.check(objects, against: reference)
        for key in reference.keys.shuffled(using: &generator).prefix(reference.count * 3 / 4) {
            #expect(objects.remove(key: key)?.modRevision.rawValue == reference[key])
            reference[key] = nil
        }
        #expect(objects.remove(key: "/registry/pods/absent") == nil)
        Self.check(objects, against: reference)
        for (key, revision) in reference {
            #expect(objects.object(forKey: key)?.modRevision.rawValue == revision)
        }
        #expect(objects.object(forKey: "/registry/pods/absent") == nil)
    }

    @Test
    func initSortsAndKeepsTheLastOfEqualKeys() {
        let objects = Objects([Self.object("/b", 1), Self.object("/a", 2), Self.object("/b", 3)])
        #expect(objects.elements.map(\.key) == ["/a", "/b"])
        #expect(objects.object(forKey: "/b")?.modRevision == 3)
        let many = Objects((0..<2_000).map { Self.object("/k\($0)", Int64($0)) })
        #expect(many.chunks.count > 1)
        Self.check(many, against: Dictionary(uniqueKeysWithValues: (0..<2_000).map { ("/k\($0)", Int64($0)) }))
    }

    @Test(arguments: ["", "/registry/pods/", "/registry/pods/ns-1/", "/registry/pods/ns-9/", "/registry/pods/ns-2/p1"])
    func aPrefixSnapshotIsTheContiguousRunOfItsKeys(_ prefix: String) {
        var objects = Objects()
        for namespace in 0..<4 {
            for index in 0..<700 {
                var object = Self.object("/registry/pods/ns-\(namespace)/p\(index)")
                _ = objects.upsert(&object)
            }
        }
        let expected = objects.elements.map(\.key).filter { KeyOrder.hasPrefix($0, prefix) }
        let snapshot = objects.snapshot(prefix: prefix)
        #expect(snapshot.count == expected.count)
        #expect(Array(snapshot).map(\.key) == expected)
        // Positional access agrees with iteration, across chunk boundaries.
        #expect(snapshot.indices.map { snapshot[$0].key } == expected)
    }

    @Test
    func aSnapshotDoesNotSeeLaterWrites() {
        func padded(_ index: Int) -> String { String(repeating: "0", count: 5 - String(index).count) + String(index) }
        var objects = Objects((0..<1_500).map { Self.object("/k" + padded($0)) })
        let before = objects.snapshot(prefix: "")
        let keys = before.map(\.key)
        var replacement = Self.object("/k00010", 2)
        _ = objects.upsert(&replacement)
        var inserted = Self.object("/k00010x")
        _ = objects.upsert(&inserted)
        _ = objects.remove(key: "/k01000")
        #expect(before.map(\.key) == keys)
        #expect(before.allSatisfy { $0.modRevision == 1 })
        #expect(objects.count == 1_500)
        #expect(objects.object(forKey: "/k00010")?.modRevision == 2)
    }
}
