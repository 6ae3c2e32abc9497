import Foundation
import SkiffAPIMachinery
import Testing

struct TimeTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var input: String
        /// Seconds since 1970 of the parsed instant.
        var unix: Double
        /// `Time` as written back.
        var seconds: String
        /// `MicroTime` as written back.
        var micros: String
        var testDescription: String { self.input }
    }

    @Test(arguments: [
        ParseCase(
            input: "1970-01-01T00:00:00Z",
            unix: 0,
            seconds: "1970-01-01T00:00:00Z",
            micros: "1970-01-01T00:00:00.000000Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05Z",
            unix: 1_136_214_245,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.000000Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05.999999Z",
            unix: 1_136_214_245.999999,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.999999Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05.5Z",
            unix: 1_136_214_245.5,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.500000Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05.123456789Z",
            unix: 1_136_214_245.123457,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.123457Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05.1234567891234Z",
            unix: 1_136_214_245.123457,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.123457Z"
        ),
        ParseCase(
            input: "2006-01-02T15:04:05,25Z",
            unix: 1_136_214_245.25,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.250000Z"
        ),
        ParseCase(
            input: "2006-01-02T08:04:05-07:00",
            unix: 1_136_214_245,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.000000Z"
        ),
        ParseCase(
            input: "2006-01-03T00:34:05+09:30",
            unix: 1_136_214_245,
            seconds: "2006-01-02T15:04:05Z",
            micros: "2006-01-02T15:04:05.000000Z"
        ),
        ParseCase(
            input: "2024-01-01T00:30:00+01:00",
            unix: 1_704_065_400,
            seconds: "2023-12-31T23:30:00Z",
            micros: "2023-12-31T23:30:00.000000Z"
        ),
        ParseCase(
            input: "2024-02-29T12:00:00Z",
            unix: 1_709_208_000,
            seconds: "2024-02-29T12:00:00Z",
            micros: "2024-02-29T12:00:00.000000Z"
        ),
        ParseCase(
            input: "2000-02-29T00:00:00Z",
            unix: 951_782_400,
            seconds: "2000-02-29T00:00:00Z",
            micros: "2000-02-29T00:00:00.000000Z"
        ),
        ParseCase(
            input: "1969-12-31T23:59:59Z",
            unix: -1,
            seconds: "1969-12-31T23:59:59Z",
            micros: "1969-12-31T23:59:59.000000Z"
        ),
        ParseCase(
            input: "1969-12-31T23:59:59.75Z",
            unix: -0.25,
            seconds: "1969-12-31T23:59:59Z",
            micros: "1969-12-31T23:59:59.750000Z"
        ),
        ParseCase(
            input: "1900-03-01T00:00:00Z",
            unix: -2_203_891_200,
            seconds: "1900-03-01T00:00:00Z",
            micros: "1900-03-01T00:00:00.000000Z"
        ),
        ParseCase(
            input: "9999-12-31T23:59:59Z",
            unix: 253_402_300_799,
            seconds: "9999-12-31T23:59:59Z",
            micros: "9999-12-31T23:59:59.000000Z"
        ),
        ParseCase(
            input: "0001-01-01T00:00:01Z",
            unix: -62_135_596_799,
            seconds: "0001-01-01T00:00:01Z",
            micros: "0001-01-01T00:00:01.000000Z"
        ),
    ])
    func parsesAndWritesUTC(_ c: ParseCase) throws {
        let time = try Time(parsing: c.input)
        #expect(abs(time.date.timeIntervalSince1970 - c.unix) < 0.000_001)
        #expect(time.string == c.seconds)
        let micro = try MicroTime(parsing: c.input)
        #expect(micro.string == c.micros)
        #expect(
            try MicroTime(parsing: micro.string) == micro
                || abs(
                    try MicroTime(parsing: micro.string).date.timeIntervalSince1970 - micro.date.timeIntervalSince1970
                ) < 0.000_001
        )
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var message: String
        var testDescription: String { self.input }
    }

    @Test(arguments: [
        ErrorCase(input: "", message: #"parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006""#),
        ErrorCase(
            input: "2006-01-02 15:04:05Z",
            message:
                #"parsing time "2006-01-02 15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 15:04:05Z" as "T""#
        ),
        ErrorCase(
            input: "2006-01-02T15:04:05",
            message: #"parsing time "2006-01-02T15:04:05" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#
        ),
        ErrorCase(
            input: "2006-01-02T15:04:05z",
            message:
                #"parsing time "2006-01-02T15:04:05z" as "2006-01-02T15:04:05Z07:00": cannot parse "z" as "Z07:00""#
        ),
        ErrorCase(input: "2006-13-02T15:04:05Z", message: #"parsing time "2006-13-02T15:04:05Z": month out of range"#),
        ErrorCase(input: "2023-02-29T15:04:05Z", message: #"parsing time "2023-02-29T15:04:05Z": day out of range"#),
        ErrorCase(input: "1900-02-29T00:00:00Z", message: #"parsing time "1900-02-29T00:00:00Z": day out of range"#),
        ErrorCase(input: "2006-04-31T15:04:05Z", message: #"parsing time "2006-04-31T15:04:05Z": day out of range"#),
        ErrorCase(input: "2006-01-02T24:04:05Z", message: #"parsing time "2006-01-02T24:04:05Z": hour out of range"#),
        ErrorCase(input: "2006-01-02T15:60:05Z", message: #"parsing time "2006-01-02T15:60:05Z": minute out of range"#),
        ErrorCase(input: "2006-01-02T15:04:60Z", message: #"parsing time "2006-01-02T15:04:60Z": second out of range"#),
        ErrorCase(
            input: "2006-01-02T15:04:05+24:00",
            message: #"parsing time "2006-01-02T15:04:05+24:00": time zone offset hour out of range"#
        ),
        ErrorCase(
            input: "2006-01-02T15:04:05Zjunk",
            message: #"parsing time "2006-01-02T15:04:05Zjunk": extra text: "junk""#
        ),
        ErrorCase(
            input: "06-01-02T15:04:05Z",
            message:
                #"parsing time "06-01-02T15:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "06-01-02T15:04:05Z" as "2006""#
        ),
    ])
    func rejectsInvalidTimestamps(_ c: ErrorCase) {
        #expect(throws: RFC3339.ParseError(message: c.message)) { try Time(parsing: c.input) }
    }

    @Test func truncatesToTheSecondWhenFormatting() {
        #expect(Time(Date(timeIntervalSince1970: 1.999_999)).string == "1970-01-01T00:00:01Z")
        #expect(Time(Date(timeIntervalSince1970: -0.5)).string == "1969-12-31T23:59:59Z")
        #expect(MicroTime(Date(timeIntervalSince1970: 1.000_000_4)).string == "1970-01-01T00:00:01.000000Z")
        #expect(MicroTime(Date(timeIntervalSince1970: 1_700_000_000.123_456)).string == "2023-11-14T22:13:20.123456Z")
    }

    @Test func daysAcrossFourCenturiesRoundTrip() throws {
        // 1600-03-01 to 2400-03-01 covers every leap-year rule twice.
        var date = try Time(parsing: "1600-03-01T12:00:00Z").date
        let end = try Time(parsing: "2400-03-01T12:00:00Z").date
        var count = 0
        var mismatches: [String] = []
        while date <= end {
            let time = Time(date)
            if (try? Time(parsing: time.string)) != time { mismatches.append(time.string) }
            date += 5 * 86_400  // 5 is coprime with every calendar cycle, so all day shapes occur
            count += 1
        }
        #expect(count == 58_439)
        #expect(mismatches.isEmpty)
    }

    struct CodingCase: Sendable, CustomTestStringConvertible {
        var json: String
        var written: String
        var testDescription: String { self.json }
    }

    @Test(arguments: [
        CodingCase(json: #""2024-01-02T03:04:05Z""#, written: #""2024-01-02T03:04:05Z""#),
        CodingCase(json: #""2024-01-02T04:04:05.9+01:00""#, written: #""2024-01-02T03:04:05Z""#),
        CodingCase(json: "null", written: "null"),
        CodingCase(json: #""0001-01-01T00:00:00Z""#, written: "null"),
    ])
    func codesTime(_ c: CodingCase) throws {
        let time = try JSONDecoder().decode(Time.self, from: Data(c.json.utf8))
        #expect(String(decoding: try JSONEncoder().encode(time), as: UTF8.self) == c.written)
    }

    @Test(arguments: [
        CodingCase(json: #""2024-01-02T03:04:05.123456Z""#, written: #""2024-01-02T03:04:05.123456Z""#),
        CodingCase(json: #""2024-01-02T03:04:05Z""#, written: #""2024-01-02T03:04:05.000000Z""#),
        CodingCase(json: "null", written: "null"),
    ])
    func codesMicroTime(_ c: CodingCase) throws {
        let time = try JSONDecoder().decode(MicroTime.self, from: Data(c.json.utf8))
        #expect(String(decoding: try JSONEncoder().encode(time), as: UTF8.self) == c.written)
    }

    @Test func decodingReportsTheParseError() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Time.self, from: Data(#""yesterday""#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Time.self, from: Data("12".utf8)) }
    }
}
