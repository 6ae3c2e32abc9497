import Foundation
import SkiffAPIMachinery
import Testing

struct IntOrStringTests {
    struct CodingCase: Sendable, CustomTestStringConvertible {
        var json: String
        var value: IntOrString
        var testDescription: String { self.json }
    }

    // Upstream's TestIntOrStringUnmarshalJSON and TestIntOrStringMarshalJSON.
    @Test(arguments: [
        CodingCase(json: #"{"val":123}"#, value: .int(123)),
        CodingCase(json: #"{"val":"123"}"#, value: .string("123")),
        CodingCase(json: #"{"val":"25%"}"#, value: .string("25%")),
        CodingCase(json: #"{"val":-2147483648}"#, value: .int(.min)),
        CodingCase(json: #"{"val":2147483647}"#, value: .int(.max)),
        CodingCase(json: #"{"val":""}"#, value: .string("")),
    ])
    func codesAsNumberOrString(_ c: CodingCase) throws {
        let decoded = try JSONDecoder().decode([String: IntOrString].self, from: Data(c.json.utf8))
        #expect(decoded["val"] == c.value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(["val": c.value]), as: UTF8.self) == c.json)
    }

    struct DecodeErrorCase: Sendable, CustomTestStringConvertible {
        var json: String
        var message: String
        var testDescription: String { self.json }
    }

    @Test(arguments: [
        DecodeErrorCase(
            json: "2147483648",
            message: "json: cannot unmarshal number 2147483648 into Go value of type int32"
        ),
        DecodeErrorCase(
            json: "-2147483649",
            message: "json: cannot unmarshal number -2147483649 into Go value of type int32"
        ),
        DecodeErrorCase(json: "1.5", message: "json: cannot unmarshal number 1.5 into Go value of type int32"),
        DecodeErrorCase(json: "true", message: "IntOrString must be a JSON string or an integer"),
        DecodeErrorCase(json: "[1]", message: "IntOrString must be a JSON string or an integer"),
    ])
    func rejectsNonIntegers(_ c: DecodeErrorCase) {
        do {
            _ = try JSONDecoder().decode(IntOrString.self, from: Data(c.json.utf8))
            Issue.record("decoded \(c.json)")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == c.message)
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.debugDescription == c.message)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func nullDecodesAsZero() throws {
        #expect(try JSONDecoder().decode(IntOrString.self, from: Data("null".utf8)) == .int(0))
    }

    /// Foundation's decoder reads `1.0` and `1e3` as integers; upstream (Go) rejects them. Pinned so a change shows.
    @Test func integralFloatsAreAcceptedByFoundation() throws {
        let decoded = try? JSONDecoder().decode(IntOrString.self, from: Data("1.0".utf8))
        #expect(decoded == .int(1) || decoded == nil)
    }

    struct ScaleCase: Sendable, CustomTestStringConvertible {
        var value: IntOrString
        var total: Int
        var roundUp: Bool
        /// The scaled value, or the error message.
        var expected: Result<Int, IntOrString.ScaleError>
        var testDescription: String { "\(self.value) of \(self.total) \(self.roundUp ? "up" : "down")" }
    }

    static func error(_ message: String) -> Result<Int, IntOrString.ScaleError> {
        .failure(IntOrString.ScaleError(message: message))
    }

    // Upstream's TestGetIntFromIntOrPercent, plus rounding cases.
    @Test(arguments: [
        ScaleCase(value: .int(123), total: 0, roundUp: false, expected: .success(123)),
        ScaleCase(value: "90%", total: 100, roundUp: true, expected: .success(90)),
        ScaleCase(value: "90%", total: 95, roundUp: true, expected: .success(86)),
        ScaleCase(value: "90%", total: 95, roundUp: false, expected: .success(85)),
        ScaleCase(value: "25%", total: 10, roundUp: true, expected: .success(3)),
        ScaleCase(value: "25%", total: 10, roundUp: false, expected: .success(2)),
        ScaleCase(value: "0%", total: 10, roundUp: true, expected: .success(0)),
        ScaleCase(value: "100%", total: 7, roundUp: false, expected: .success(7)),
        ScaleCase(value: "-25%", total: 10, roundUp: true, expected: .success(-2)),
        ScaleCase(value: "-25%", total: 10, roundUp: false, expected: .success(-3)),
        ScaleCase(value: "+50%", total: 3, roundUp: false, expected: .success(1)),
        ScaleCase(
            value: "%",
            total: 0,
            roundUp: false,
            expected: Self.error(
                #"invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax"#
            )
        ),
        ScaleCase(
            value: "90#",
            total: 0,
            roundUp: false,
            expected: Self.error("invalid value for IntOrString: invalid type: string is not a percentage")
        ),
        ScaleCase(
            value: "#%",
            total: 0,
            roundUp: false,
            expected: Self.error(
                ##"invalid value for IntOrString: invalid value "#%": strconv.Atoi: parsing "#": invalid syntax"##
            )
        ),
        ScaleCase(
            value: "90",
            total: 0,
            roundUp: false,
            expected: Self.error("invalid value for IntOrString: invalid type: string is not a percentage")
        ),
    ])
    func scalesPercentages(_ c: ScaleCase) {
        let result = Result { () throws(IntOrString.ScaleError) -> Int in
            try c.value.scaledValue(total: c.total, roundUp: c.roundUp)
        }
        #expect(result == c.expected)
    }

    // Upstream's TestParse.
    @Test(arguments: [
        ("0", IntOrString.int(0)), ("2147483647", .int(.max)), ("-2147483648", .int(.min)),
        ("2147483648", .string("2147483648")), ("-2147483649", .string("-2147483649")),
        ("9223372036854775807", .string("9223372036854775807")), ("abc", .string("abc")),
    ])
    func parsesIntegersThatFit(_ text: String, _ expected: IntOrString) {
        #expect(IntOrString(parsing: text) == expected)
    }

    @Test func readsIntValueAndDescription() {
        #expect(IntOrString.string("42").intValue == 42)
        #expect(IntOrString.string("x").intValue == 0)
        #expect(IntOrString.int(8080).description == "8080")
        #expect(IntOrString.string("http").description == "http")
    }
}
