import Foundation
import SkiffAPIMachinery
import Testing

struct JSONValueTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var json: String
        var value: JSONValue
        var testDescription: String { self.json }
    }

    @Test(arguments: [
        ParseCase(json: "3", value: .int(3)),
        ParseCase(json: "-0", value: .int(0)),
        ParseCase(json: "3.0", value: .double(3)),
        ParseCase(json: "1e3", value: .double(1000)),
        ParseCase(json: "1E+3", value: .double(1000)),
        ParseCase(json: "-1.5e-3", value: .double(-0.0015)),
        ParseCase(json: "9223372036854775807", value: .int(.max)),
        ParseCase(json: "-9223372036854775808", value: .int(.min)),
        ParseCase(json: "9223372036854775808", value: .double(9_223_372_036_854_775_808)),
        ParseCase(json: "123456789012345678901234567890", value: .double(1.2345678901234568e29)),
        ParseCase(json: " \t\r\n null \n", value: .null),
        ParseCase(json: "true", value: true),
        ParseCase(json: "false", value: false),
        ParseCase(json: #""""#, value: ""),
        ParseCase(json: #""a\"b\\c\/d\b\f\n\r\t""#, value: "a\"b\\c/d\u{8}\u{c}\n\r\t"),
        ParseCase(json: #""\u00e9\u4e2d\ud83d\ude00""#, value: "é中😀"),
        ParseCase(json: #""\ud83d""#, value: "\u{FFFD}"),
        ParseCase(json: #""\ude00x""#, value: "\u{FFFD}x"),
        ParseCase(json: #""\ud83dx""#, value: "\u{FFFD}x"),
        ParseCase(json: #""\ud83d\u0041""#, value: "\u{FFFD}A"),
        ParseCase(json: "\"é中😀\"", value: "é中😀"),
        ParseCase(json: "[]", value: []),
        ParseCase(json: "[1, [2, {}], \"x\"]", value: [1, [2, [:]], "x"]),
        ParseCase(json: #"{"b":1,"a":{"d":[],"c":null}}"#, value: ["b": 1, "a": ["d": [], "c": nil]]),
        ParseCase(json: #"{"a":1,"b":2,"a":3}"#, value: ["a": 3, "b": 2]),
    ])
    func parsesValues(_ c: ParseCase) throws {
        #expect(try JSONValue.parse(Array(c.json.utf8)) == c.value)
        #expect(try JSONValue.parse(c.json.utf8) == c.value)
    }

    @Test func keepsMemberOrder() throws {
        let value = try JSONValue.parse(Array(#"{"z":1,"a":2,"m":{"y":0,"b":1},"a":5}"#.utf8))
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.keys == ["y", "b"])
        #expect(value["a"] == .int(5))
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"z":1,"a":5,"m":{"y":0,"b":1}}"#)
        #expect(
            String(decoding: value.serialized(sortingKeys: true), as: UTF8.self) == #"{"a":5,"m":{"b":1,"y":0},"z":1}"#
        )
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var json: String
        var message: String
        var testDescription: String { self.json }
    }

    // Messages as Go's encoding/json syntax errors.
    @Test(arguments: [
        ErrorCase(json: "", message: "unexpected end of JSON input"),
        ErrorCase(json: "  ", message: "unexpected end of JSON input"),
        ErrorCase(json: "{", message: "unexpected end of JSON input"),
        ErrorCase(json: "[1,", message: "unexpected end of JSON input"),
        ErrorCase(json: #""abc"#, message: "unexpected end of JSON input"),
        ErrorCase(json: "}", message: "invalid character '}' looking for beginning of value"),
        ErrorCase(json: "[1,]", message: "invalid character ']' looking for beginning of value"),
        ErrorCase(json: "{\"a\" 1}", message: "invalid character '1' after object key"),
        ErrorCase(json: "{\"a\":1 \"b\":2}", message: "invalid character '\"' after object key:value pair"),
        ErrorCase(json: "{1:2}", message: "invalid character '1' looking for beginning of object key string"),
        ErrorCase(json: "{\"a\":1,}", message: "invalid character '}' looking for beginning of object key string"),
        ErrorCase(json: "[1 2]", message: "invalid character '2' after array element"),
        ErrorCase(json: "1 2", message: "invalid character '2' after top-level value"),
        ErrorCase(json: "01", message: "invalid character '1' after top-level value"),
        ErrorCase(json: "-", message: "unexpected end of JSON input"),
        ErrorCase(json: "-a", message: "invalid character 'a' in numeric literal"),
        ErrorCase(json: "1.", message: "unexpected end of JSON input"),
        ErrorCase(json: "1.e3", message: "invalid character 'e' in numeric literal"),
        ErrorCase(json: "1e", message: "unexpected end of JSON input"),
        ErrorCase(json: "tru", message: "unexpected end of JSON input"),
        ErrorCase(json: "trux", message: "invalid character 'x' in literal true (expecting 'e')"),
        ErrorCase(json: "nul1", message: "invalid character '1' in literal null (expecting 'l')"),
        ErrorCase(json: "\"a\u{1}\"", message: #"invalid character '\x01' in string literal"#),
        ErrorCase(json: "\"a\nb\"", message: #"invalid character '\n' in string literal"#),
        ErrorCase(json: #""\x""#, message: "invalid character 'x' in string escape code"),
        ErrorCase(json: #""\u12g4""#, message: #"invalid character 'g' in \u hexadecimal character escape"#),
        ErrorCase(json: "'a'", message: #"invalid character '\'' looking for beginning of value"#),
        ErrorCase(json: "NaN", message: "invalid character 'N' looking for beginning of value"),
    ])
    func rejectsInvalidJSON(_ c: ErrorCase) {
        do {
            let value = try JSONValue.parse(Array(c.json.utf8))
            Issue.record("parsed \(value)")
        } catch {
            #expect(error.message == c.message)
        }
    }

    @Test func limitsNestingDepth() throws {
        let deepest = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(try JSONValue.parse(Array(deepest.utf8)).arrayValue != nil)
        let tooDeep = String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001)
        #expect(throws: JSONValue.ParseError(message: "exceeded max depth", offset: 1000)) {
            try JSONValue.parse(Array(tooDeep.utf8))
        }
        let deepObjects = String(repeating: #"{"a":"#, count: 1001) + "1" + String(repeating: "}", count: 1001)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(deepObjects.utf8)) }
    }

    struct WriteCase: Sendable, CustomTestStringConvertible {
        var value: JSONValue
        var json: String
        var testDescription: String { self.json }
    }

    // Byte-for-byte what Go's json.Marshal writes for the same value.
    @Test(arguments: [
        WriteCase(value: nil, json: "null"),
        WriteCase(value: true, json: "true"),
        WriteCase(value: .int(-42), json: "-42"),
        WriteCase(value: .int(.min), json: "-9223372036854775808"),
        WriteCase(value: .double(1), json: "1"),
        WriteCase(value: .double(-0.0), json: "-0"),
        WriteCase(value: .double(0), json: "0"),
        WriteCase(value: .double(0.1), json: "0.1"),
        WriteCase(value: .double(1.5), json: "1.5"),
        WriteCase(value: .double(1e20), json: "100000000000000000000"),
        WriteCase(value: .double(1e21), json: "1e+21"),
        WriteCase(value: .double(1.5e300), json: "1.5e+300"),
        WriteCase(value: .double(0.000001), json: "0.000001"),
        WriteCase(value: .double(0.000001234), json: "0.000001234"),
        WriteCase(value: .double(1e-7), json: "1e-7"),
        WriteCase(value: .double(-2.5e-10), json: "-2.5e-10"),
        WriteCase(value: .double(.leastNonzeroMagnitude), json: "5e-324"),
        WriteCase(value: .double(1.7976931348623157e308), json: "1.7976931348623157e+308"),
        WriteCase(value: .double(123456789.125), json: "123456789.125"),
        WriteCase(value: .double(12_345_678_901_234_567_168), json: "12345678901234567000"),
        WriteCase(value: .double(.nan), json: "null"),
        WriteCase(value: "plain", json: #""plain""#),
        WriteCase(value: "<a href=\"x\">&</a>", json: #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#),
        WriteCase(value: "a/b\\c", json: #""a/b\\c""#),
        WriteCase(value: "\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{7f}", json: #""\b\f\n\r\t\u0000\u001f"# + "\u{7f}\""),
        WriteCase(value: "line\u{2028}para\u{2029}€", json: #""line\u2028para\u2029"# + "€\""),
        WriteCase(value: "é中😀", json: "\"é中😀\""),
        WriteCase(value: [1, "a", [:], []], json: #"[1,"a",{},[]]"#),
        WriteCase(value: ["k<": ["x": nil]], json: #"{"k\u003c":{"x":null}}"#),
    ])
    func writesLikeGo(_ c: WriteCase) {
        #expect(String(decoding: c.value.serialized(), as: UTF8.self) == c.json)
    }

    // MARK: Against Foundation

    static func randomString(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet: [Character] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "<", "&", "é", "中", "😀",
            "\u{2028}", "\u{7f}",
        ]
        let count = Int.random(in: 0...8, using: &generator)
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func randomValue(depth: Int, using generator: inout some RandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            return .int(
                Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63, using: &generator)
            )
        case 3:
            let mantissa = Double.random(in: -1...1, using: &generator)
            return .double(mantissa * pow(10, Double(Int.random(in: -30...30, using: &generator))))
        case 4: return .string(Self.randomString(using: &generator))
        case 5:
            return .array(
                (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    Self.randomValue(depth: depth + 1, using: &generator)
                }
            )
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[Self.randomString(using: &generator)] = Self.randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    /// Converts Foundation's `JSONSerialization` output into a ``JSONValue`` for comparison.
    static func fromFoundation(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let string as String: return .string(string)
        case let array as [Any]: return .array(array.map(Self.fromFoundation))
        case let dictionary as [String: Any]:
            return .object(JSONObject(dictionary.map { (key: $0.key, value: Self.fromFoundation($0.value)) }))
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .double(number.doubleValue)
        default: return .string("unexpected \(any)")
        }
    }

    /// Numbers compared as doubles, since Foundation does not say whether a number was written as an integer.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let integer): .double(Double(integer))
        case .array(let elements): .array(elements.map(Self.normalized))
        case .object(let object):
            .object(JSONObject(object.members.map { (key: $0.key, value: Self.normalized($0.value)) }))
        default: value
        }
    }

    static func approximatelyEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.double(let a), .double(let b)):
            return a == b || abs(a - b) <= 1e-14 * max(abs(a), abs(b))
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { Self.approximatelyEqual($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && a.members.allSatisfy { member in
                    b[member.key].map { Self.approximatelyEqual(member.value, $0) } ?? false
                }
        default:
            return lhs == rhs
        }
    }

    @Test func randomValuesRoundTripAndAgreeWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let bytes = value.serialized()
            // Our own parser reads back exactly what we wrote (an integral double comes back as `.int`, as in Go).
            #expect(Self.normalized(try JSONValue.parse(bytes)) == Self.normalized(value))
            // Foundation reads our bytes as the same value (its double parsing is not correctly rounded, so doubles
            // are compared to a relative 1e-14).
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            #expect(Self.approximatelyEqual(Self.normalized(Self.fromFoundation(foundation)), Self.normalized(value)))
            // And we read Foundation's bytes as the same value.
            let encoded = try JSONEncoder().encode(value)
            #expect(Self.normalized(try JSONValue.parse(encoded)) == Self.normalized(value))
        }
    }

    // MARK: Codable through Foundation's JSONDecoder

    @Test(arguments: [
        ParseCase(json: "3", value: .int(3)),
        ParseCase(json: "-7", value: .int(-7)),
        ParseCase(json: "1.5", value: .double(1.5)),
        ParseCase(json: "[1, 2.5, \"x\", true, null]", value: [1, 2.5, "x", true, nil]),
        ParseCase(json: "9223372036854775808", value: .double(9_223_372_036_854_775_808)),
    ])
    func decodesThroughFoundationCodable(_ c: ParseCase) throws {
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(c.json.utf8)) == c.value)
    }

    /// Foundation's decoder reports `3.0` and `1e3` as integers when asked for `Int64`, so through `Codable` they
    /// arrive as `.int`; ``JSONValue/parse(_:)`` keeps them `.double`. Pinned so a change in Foundation shows.
    @Test func foundationCodableCannotTellIntegralDoublesApart() throws {
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("3.0".utf8)) == .int(3))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("1e3".utf8)) == .int(1000))
    }
}

/// Parsing that skips `metadata.managedFields`, for informers that trim them.
struct JSONManagedFieldsDroppingTests {
    static func parse(_ text: String, dropping: Bool = true) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8), strings: nil, droppingManagedFields: dropping)
    }

    @Test func metadataLosesManagedFieldsAndKeepsEverythingElse() throws {
        let text = #"""
            {"kind":"PodList","items":[{"metadata":{"name":"a","managedFields":[{"manager":"x \"quoted\" ]}","fieldsV1":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{}}}}}],"labels":{"k":"v"}},"spec":{"managedFields":1}},{"metadata":{"managedFields":[],"name":"b"}}]}
            """#
        let value = try Self.parse(text)
        let items = try #require(value["items"]?.arrayValue)
        #expect(items.count == 2)
        #expect(items[0]["metadata"] == .object(JSONObject([("name", "a"), ("labels", .object(JSONObject([("k", "v")])))])))
        #expect(items[0]["spec"]?["managedFields"] == .int(1), "only metadata's member is dropped")
        #expect(items[1]["metadata"] == .object(JSONObject([("name", "b")])))
        let kept = try Self.parse(text, dropping: false)
        #expect(kept["items"]?.arrayValue?.first?["metadata"]?["managedFields"]?.arrayValue?.count == 1)
    }

    @Test func skippedValuesOfEveryKindAndBrokenDocuments() throws {
        for skipped in [#"null"#, #"12.5e3"#, #""s""#, #"{}"#, #"[[],{"a":["]"]}]"#] {
            let value = try Self.parse(#"{"metadata":{"managedFields":\#(skipped),"uid":"u"}}"#)
            #expect(value["metadata"] == .object(JSONObject([("uid", "u")])), "\(skipped)")
        }
        for broken in [#"{"metadata":{"managedFields":[{"a":"b"}"#, #"{"metadata":{"managedFields":"open}}"#, #"{"metadata":{"managedFields":}}"#] {
            #expect(throws: JSONValue.ParseError.self) { try Self.parse(broken) }
        }
    }
}
