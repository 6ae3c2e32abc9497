import SkiffAPIMachinery
import Testing

@Suite struct JSONStringTableTests {
    /// The address of a string's UTF-8 storage: equal for two strings that share it.
    static func storage(_ text: String) -> UnsafeRawPointer? {
        var text = text
        return text.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    static func strings(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings)
        case .object(let members): members.flatMap { [$0.key] + strings($0.value) }
        default: []
        }
    }

    static let document = #"""
        {"metadata":{"name":"web-0","labels":{"app.kubernetes.io/name":"web"},"annotations":{"note":"caf\u00e9 latte and more text"}},
         "spec":{"containers":[{"image":"registry.k8s.io/nginx-slim:0.27","terminationMessagePath":"/dev/termination-log"}],
                 "bad":"INVALID invalid bytes, long enough to be looked up"}}
        """#

    /// Parsing through a table gives the same value; the longer strings of a second parse share the first's storage.
    @Test func sharesLongStringsAndKeepsValuesExact() throws {
        let table = JSONStringTable(slots: 64)
        // Invalid UTF-8 inside a string is repaired to U+FFFD, as without a table.
        var bytes = Array(Self.document.utf8)
        let marker = Array("INVALID".utf8)
        if let start = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }) {
            bytes.replaceSubrange(start..<(start + marker.count), with: [0xFF, 0xFE])
        }
        let plain = try JSONValue.parse(bytes)
        let first = try JSONValue.parse(bytes, strings: table)
        let second = try JSONValue.parse(bytes, strings: table)
        #expect(first == plain)
        #expect(second == plain)

        let firstStrings = Self.strings(first)
        let secondStrings = Self.strings(second)
        let plainStrings = Self.strings(plain)
        #expect(firstStrings == plainStrings)
        #expect(plainStrings.contains { $0.hasPrefix("\u{FFFD}\u{FFFD} invalid bytes") })
        for (index, text) in secondStrings.enumerated() where text.utf8.count >= 16 && text.utf8.count <= 256 {
            // Escaped strings are built from their unescaped bytes and not looked up; repaired ones never match
            // their input.
            if text.contains("é") || text.contains("\u{FFFD}") { continue }
            #expect(Self.storage(text) == Self.storage(firstStrings[index]), "\(text) is not shared")
        }
        // Without a table nothing is shared.
        let image = "registry.k8s.io/nginx-slim:0.27"
        let plainImage = try #require(plainStrings.first { $0 == image })
        let secondImage = try #require(secondStrings.first { $0 == image })
        #expect(Self.storage(plainImage) != Self.storage(secondImage))
    }

    /// A slot holds one string: strings that collide replace each other and every lookup still returns its own text.
    @Test func collisionsNeverMixStrings() throws {
        let table = JSONStringTable(slots: 1)
        for round in 0..<3 {
            for index in 0..<20 {
                let text = "a-string-long-enough-\(index)"
                let parsed = try JSONValue.parse(Array("\"\(text)\"".utf8), strings: table)
                #expect(parsed == .string(text), "round \(round)")
            }
        }
    }
}
