import SkiffPrinters
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct HumanDurationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var duration: Duration
        var expected: String
        var testDescription: String { "\(self.duration) → \(self.expected)" }
    }

    static let second = Duration.seconds(1)
    static let minute = Duration.seconds(60)
    static let hour = Duration.seconds(3600)
    static let day = Duration.seconds(86400)
    static let year = Duration.seconds(365 * 86400)
    static let millisecond = Duration.milliseconds(1)

    // Upstream's TestHumanDuration.
    @Test(arguments: [
        Case(duration: second, expected: "1s"),
        Case(duration: second * 70, expected: "70s"),
        Case(duration: second * 190, expected: "3m10s"),
        Case(duration: minute * 70, expected: "70m"),
        Case(duration: hour * 47, expected: "47h"),
        Case(duration: hour * 49, expected: "2d1h"),
        Case(duration: hour * (8 * 24 + 2), expected: "8d"),
        Case(duration: hour * (367 * 24), expected: "367d"),
        Case(duration: hour * (365 * 2 * 24 + 25), expected: "2y1d"),
        Case(duration: hour * (365 * 8 * 24 + 2), expected: "8y"),
    ])
    func formatsWithTwoOrThreeSignificantFigures(_ c: Case) {
        #expect(HumanDuration.format(c.duration) == c.expected)
    }

    // Upstream's TestHumanDurationBoundaries.
    @Test(arguments: [
        Case(duration: second * -2, expected: "<invalid>"),
        Case(duration: second * -2 + .nanoseconds(1), expected: "0s"),
        Case(duration: .zero, expected: "0s"),
        Case(duration: second - millisecond, expected: "0s"),
        Case(duration: minute * 2 - millisecond, expected: "119s"),
        Case(duration: minute * 2, expected: "2m"),
        Case(duration: minute * 2 + second, expected: "2m1s"),
        Case(duration: minute * 10 - millisecond, expected: "9m59s"),
        Case(duration: minute * 10, expected: "10m"),
        Case(duration: minute * 10 + second, expected: "10m"),
        Case(duration: hour * 3 - millisecond, expected: "179m"),
        Case(duration: hour * 3, expected: "3h"),
        Case(duration: hour * 3 + minute, expected: "3h1m"),
        Case(duration: hour * 8 - millisecond, expected: "7h59m"),
        Case(duration: hour * 8, expected: "8h"),
        Case(duration: hour * 8 + minute * 59, expected: "8h"),
        Case(duration: day * 2 - millisecond, expected: "47h"),
        Case(duration: day * 2, expected: "2d"),
        Case(duration: day * 2 + hour, expected: "2d1h"),
        Case(duration: day * 8 - millisecond, expected: "7d23h"),
        Case(duration: day * 8, expected: "8d"),
        Case(duration: day * 8 + hour * 23, expected: "8d"),
        Case(duration: year * 2 - millisecond, expected: "729d"),
        Case(duration: year * 2, expected: "2y"),
        Case(duration: year * 2 + hour * 23, expected: "2y"),
        Case(duration: year * 2 + hour * 23 + minute * 59, expected: "2y"),
        Case(duration: year * 2 + hour * 24 - millisecond, expected: "2y"),
        Case(duration: year * 2 + hour * 24, expected: "2y1d"),
        Case(duration: year * 3, expected: "3y"),
        Case(duration: year * 4, expected: "4y"),
        Case(duration: year * 5, expected: "5y"),
        Case(duration: year * 6, expected: "6y"),
        Case(duration: year * 7, expected: "7y"),
        Case(duration: year * 8 - millisecond, expected: "7y364d"),
        Case(duration: year * 8, expected: "8y"),
        Case(duration: year * 8 + day * 364, expected: "8y"),
        Case(duration: year * 9, expected: "9y"),
    ])
    func formatsBoundariesAsUpstream(_ c: Case) {
        #expect(HumanDuration.format(c.duration) == c.expected)
    }

    // Upstream's TestShortHumanDurationBoundaries.
    @Test(arguments: [
        Case(duration: second * -2, expected: "<invalid>"),
        Case(duration: second * -2 + .nanoseconds(1), expected: "0s"),
        Case(duration: .zero, expected: "0s"),
        Case(duration: second - millisecond, expected: "0s"),
        Case(duration: second, expected: "1s"),
        Case(duration: second * 2 - millisecond, expected: "1s"),
        Case(duration: minute - millisecond, expected: "59s"),
        Case(duration: minute, expected: "1m"),
        Case(duration: minute * 2 - millisecond, expected: "1m"),
        Case(duration: hour - millisecond, expected: "59m"),
        Case(duration: hour, expected: "1h"),
        Case(duration: hour * 2 - millisecond, expected: "1h"),
        Case(duration: day - millisecond, expected: "23h"),
        Case(duration: day, expected: "1d"),
        Case(duration: day * 2 - millisecond, expected: "1d"),
        Case(duration: year - millisecond, expected: "364d"),
        Case(duration: year, expected: "1y"),
        Case(duration: year * 2 - millisecond, expected: "1y"),
        Case(duration: year * 2, expected: "2y"),
    ])
    func formatsShortBoundariesAsUpstream(_ c: Case) {
        #expect(HumanDuration.formatShort(c.duration) == c.expected)
    }

    @Test func formatsTheTimeBetweenDatesAndClampsHugeDurations() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(HumanDuration.format(from: start, to: start.addingTimeInterval(190)) == "3m10s")
        #expect(HumanDuration.format(from: start, to: start.addingTimeInterval(-5)) == "<invalid>")
        #expect(HumanDuration.format(from: start, to: start.addingTimeInterval(-1.5)) == "0s")
        // Beyond Go's ~292-year Duration range: clamped, never trapping.
        #expect(HumanDuration.format(.seconds(Int64.max)) == "292y")
        #expect(HumanDuration.format(.seconds(Int64.min)) == "<invalid>")
        #expect(HumanDuration.format(from: .distantPast, to: .distantFuture) == "292y")
    }
}
