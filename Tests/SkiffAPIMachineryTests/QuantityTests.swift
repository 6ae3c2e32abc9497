import Foundation
import SkiffAPIMachinery
import Testing

struct QuantityTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var input: String
        /// The expected value as `mantissa` × 10^`exponent`.
        var mantissa: Int64
        var exponent: Int32
        var format: Quantity.Format
        var testDescription: String { self.input }
        init(_ input: String, _ mantissa: Int64, _ exponent: Int32, _ format: Quantity.Format) {
            self.input = input
            self.mantissa = mantissa
            self.exponent = exponent
            self.format = format
        }
    }

    // Upstream's TestQuantityParse table.
    static let parseCases: [ParseCase] = [
        .init("0", 0, 0, .decimalSI), .init("0n", 0, 0, .decimalSI), .init("0u", 0, 0, .decimalSI),
        .init("0m", 0, 0, .decimalSI), .init("0Ki", 0, 0, .binarySI), .init("0k", 0, 0, .decimalSI),
        .init("0Mi", 0, 0, .binarySI), .init("0M", 0, 0, .decimalSI), .init("0Gi", 0, 0, .binarySI),
        .init("0G", 0, 0, .decimalSI), .init("0Ti", 0, 0, .binarySI), .init("0T", 0, 0, .decimalSI),
        .init("1", 1, 0, .decimalSI),
        .init("1Ki", 1024, 0, .binarySI), .init("8Ki", 8 * 1024, 0, .binarySI),
        .init("7Mi", 7 * 1024 * 1024, 0, .binarySI), .init("6Gi", 6 * 1024 * 1024 * 1024, 0, .binarySI),
        .init("5Ti", 5 << 40, 0, .binarySI), .init("4Pi", 4 << 50, 0, .binarySI), .init("3Ei", 3 << 60, 0, .binarySI),
        .init("10Ti", 10 << 40, 0, .binarySI), .init("100Ti", 100 << 40, 0, .binarySI),
        .init("5n", 5, -9, .decimalSI), .init("4u", 4, -6, .decimalSI), .init("3m", 3, -3, .decimalSI),
        .init("9", 9, 0, .decimalSI), .init("8k", 8, 3, .decimalSI), .init("50k", 5, 4, .decimalSI),
        .init("7M", 7, 6, .decimalSI), .init("6G", 6, 9, .decimalSI), .init("5T", 5, 12, .decimalSI),
        .init("40T", 4, 13, .decimalSI), .init("300T", 3, 14, .decimalSI), .init("2P", 2, 15, .decimalSI),
        .init("1E", 1, 18, .decimalSI),
        .init("1E-3", 1, -3, .decimalExponent), .init("1e3", 1, 3, .decimalExponent),
        .init("1E6", 1, 6, .decimalExponent), .init("1e9", 1, 9, .decimalExponent),
        .init("1E12", 1, 12, .decimalExponent), .init("1e15", 1, 15, .decimalExponent),
        .init("1E18", 1, 18, .decimalExponent),
        .init("1e14", 1, 14, .decimalExponent), .init("1e13", 1, 13, .decimalExponent),
        .init("100.035k", 100035, 0, .decimalSI),
        .init("0.001", 1, -3, .decimalSI), .init("0.0005k", 5, -1, .decimalSI), .init("0.005", 5, -3, .decimalSI),
        .init("0.05", 5, -2, .decimalSI), .init("0.5", 5, -1, .decimalSI), .init("0.00050k", 5, -1, .decimalSI),
        .init("0.00500", 5, -3, .decimalSI), .init("0.05000", 5, -2, .decimalSI), .init("0.50000", 5, -1, .decimalSI),
        .init("0.5e0", 5, -1, .decimalExponent), .init("0.5e-1", 5, -2, .decimalExponent),
        .init("0.5e-2", 5, -3, .decimalExponent), .init("10.035M", 10035, 3, .decimalSI),
        .init("1.2e3", 12, 2, .decimalExponent), .init("1.3E+6", 13, 5, .decimalExponent),
        .init("1.40e9", 14, 8, .decimalExponent), .init("1.53E12", 153, 10, .decimalExponent),
        .init("1.6e15", 16, 14, .decimalExponent), .init("1.7E18", 17, 17, .decimalExponent),
        .init("9.01", 901, -2, .decimalSI), .init("8.1k", 81, 2, .decimalSI),
        .init("7.123456M", 7_123_456, 0, .decimalSI),
        .init("6.987654321G", 6_987_654_321, 0, .decimalSI), .init("5.444T", 5444, 9, .decimalSI),
        .init("40.1T", 401, 11, .decimalSI), .init("300.2T", 3002, 11, .decimalSI), .init("2.5P", 25, 14, .decimalSI),
        .init("1.01E", 101, 16, .decimalSI),
        // Things that saturate or round.
        .init("3.001n", 4, -9, .decimalSI), .init("1.1E-9", 2, -9, .decimalExponent),
        .init("0.0000000001", 1, -9, .decimalSI), .init("0.0000000005", 1, -9, .decimalSI),
        .init("0.00000000050", 1, -9, .decimalSI), .init("0.5e-9", 1, -9, .decimalExponent),
        .init("0.9n", 1, -9, .decimalSI), .init("0.00000012345", 124, -9, .decimalSI),
        .init("0.00000012354", 124, -9, .decimalSI),
        .init("9Ei", Int64.max, 0, .binarySI), .init("9223372036854775807Ki", Int64.max, 0, .binarySI),
        .init("12E", 12, 18, .decimalSI),
        // Fractional binary.
        .init("100.035Ki", 10_243_584, -2, .binarySI), .init("0.5Mi", 512 * 1024, 0, .binarySI),
        .init("0.05Gi", 536_870_912, -1, .binarySI), .init("0.025Ti", 274_877_906_944, -1, .binarySI),
        // "Things written by trolls".
        .init("0.000000000001Ki", 2, -9, .decimalSI), .init(".001", 1, -3, .decimalSI),
        .init(".0001k", 100, -3, .decimalSI), .init("1.", 1, 0, .decimalSI), .init("1.G", 1, 9, .decimalSI),
    ]

    @Test(arguments: Self.parseCases)
    func parsesValueAndFormat(_ c: ParseCase) throws {
        let expected = Quantity(scaledValue: c.mantissa, scale: c.exponent)
        for (prefix, sign) in [("", 1), ("+", 1), ("-", -1)] {
            let parsed = try Quantity(parsing: prefix + c.input)
            #expect(parsed == (sign < 0 ? -expected : expected), "\(prefix + c.input) → \(parsed)")
            #expect(parsed.format == c.format, "\(prefix + c.input)")
        }
    }

    @Test(arguments: [
        "", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1", "1 ", "1e", "1Kii",
        "1e3.5", "1e99999999999",
    ])
    func rejectsMalformedInput(_ input: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: input) }
    }

    @Test func errorMessagesAreUpstreams() {
        do {
            _ = try Quantity(parsing: "aoeu")
        } catch {
            #expect(
                error.message
                    == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            )
        }
        do {
            _ = try Quantity(parsing: "0.1mi")
        } catch {
            #expect(error.message == "unable to parse quantity's suffix")
            #expect(error.code == .suffix)
        }
    }

    struct StringCase: Sendable, CustomTestStringConvertible {
        var input: String
        var canonical: String
        var testDescription: String { "\(self.input) → \(self.canonical)" }
        init(_ input: String, _ canonical: String) {
            self.input = input
            self.canonical = canonical
        }
    }

    // Canonical forms, from upstream's TestQuantityString alternates, TestQuantityParseEmit and the brief.
    @Test(arguments: [
        StringCase("1024Mi", "1Gi"), StringCase("307200Ki", "300Mi"), StringCase("1025024Mi", "1001Gi"),
        StringCase("1024Gi", "1Ti"), StringCase("5000m", "5"), StringCase("0.5", "500m"), StringCase("1000M", "1G"),
        StringCase("0.001T", "1G"), StringCase("1000u", "1m"), StringCase("1.08", "1080m"),
        StringCase("1080000000n", "1080m"), StringCase(".001e12", "1e9"), StringCase("0.001e0", "1e-3"),
        StringCase("1000e-12", "1e-9"), StringCase("00", "0"), StringCase("1Ki", "1Ki"), StringCase("1Mi", "1Mi"),
        StringCase("1Gi", "1Gi"), StringCase(".001Ki", "1024m"), StringCase(".000001Ki", "1024u"),
        StringCase(".000000001Ki", "1024n"), StringCase(".000000000001Ki", "2n"), StringCase("1.5Gi", "1536Mi"),
        StringCase("0.1", "100m"), StringCase("1000m", "1"), StringCase("2e3", "2e3"), StringCase("1.5e-3", "1500e-6"),
        StringCase("100m", "100m"), StringCase("1E", "1E"), StringCase("1.5", "1500m"), StringCase("-5", "-5"),
        StringCase("-1.5Gi", "-1536Mi"), StringCase("100.035Ki", "102435840m"),
        StringCase("9Ei", "9223372036854775807"),
        StringCase("0.5Mi", "512Ki"), StringCase("1000E", "1000E"), StringCase("15e2", "1500"), StringCase("-0", "0"),
        StringCase("+", "0"), StringCase(".", "0"), StringCase("12e1", "120"), StringCase("1.234e2", "123400e-3"),
        StringCase("e3", "0"),
        // Verbatim when already canonical in shape, as upstream (including its quirks).
        StringCase("+1", "+1"), StringCase("010", "010"), StringCase("1E3", "1E3"), StringCase("1e+3", "1e+3"),
        StringCase("1025Ki", "1025Ki"), StringCase("8Ki", "8Ki"), StringCase("1100m", "1100m"),
    ])
    func serialisesCanonically(_ c: StringCase) throws {
        let quantity = try Quantity(parsing: c.input)
        #expect(quantity.string == c.canonical)
        let reparsed = try Quantity(parsing: quantity.string)
        #expect(reparsed == quantity)
        #expect(reparsed.string == c.canonical)
    }

    struct ConstructedCase: Sendable, CustomTestStringConvertible {
        var quantity: Quantity
        var expected: String
        var testDescription: String { self.expected }
    }

    // Upstream's TestQuantityString table (value, format → canonical).
    @Test(arguments: [
        ConstructedCase(quantity: .init(1024 * 1024 * 1024, format: .binarySI), expected: "1Gi"),
        ConstructedCase(quantity: .init(300 * 1024 * 1024, format: .binarySI), expected: "300Mi"),
        ConstructedCase(quantity: .init(6 * 1024, format: .binarySI), expected: "6Ki"),
        ConstructedCase(quantity: .init(1001 * 1024 * 1024 * 1024, format: .binarySI), expected: "1001Gi"),
        ConstructedCase(quantity: .init(1024 * 1024 * 1024 * 1024, format: .binarySI), expected: "1Ti"),
        ConstructedCase(quantity: .init(5, format: .binarySI), expected: "5"),
        ConstructedCase(quantity: .init(scaledValue: 500, scale: -3, format: .binarySI), expected: "500m"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: 9), expected: "1G"),
        ConstructedCase(quantity: .init(scaledValue: 1000, scale: 6), expected: "1G"),
        ConstructedCase(quantity: .init(scaledValue: 1_000_000, scale: 3), expected: "1G"),
        ConstructedCase(quantity: .init(scaledValue: 1_000_000_000, scale: 0), expected: "1G"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: -3), expected: "1m"),
        ConstructedCase(quantity: .init(scaledValue: 80, scale: -3), expected: "80m"),
        ConstructedCase(quantity: .init(scaledValue: 1080, scale: -3), expected: "1080m"),
        ConstructedCase(quantity: .init(scaledValue: 108, scale: -2), expected: "1080m"),
        ConstructedCase(quantity: .init(scaledValue: 10800, scale: -4), expected: "1080m"),
        ConstructedCase(quantity: .init(scaledValue: 300, scale: 6), expected: "300M"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: 12), expected: "1T"),
        ConstructedCase(quantity: .init(scaledValue: 1_234_567, scale: 6), expected: "1234567M"),
        ConstructedCase(quantity: .init(scaledValue: 1_234_567, scale: -3, format: .binarySI), expected: "1234567m"),
        ConstructedCase(quantity: .init(scaledValue: 3, scale: 3), expected: "3k"),
        ConstructedCase(quantity: .init(1025, format: .binarySI), expected: "1025"),
        ConstructedCase(quantity: .init(0, format: .decimalSI), expected: "0"),
        ConstructedCase(quantity: .init(0, format: .binarySI), expected: "0"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: 9, format: .decimalExponent), expected: "1e9"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: -3, format: .decimalExponent), expected: "1e-3"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: -9, format: .decimalExponent), expected: "1e-9"),
        ConstructedCase(quantity: .init(scaledValue: 80, scale: -3, format: .decimalExponent), expected: "80e-3"),
        ConstructedCase(quantity: .init(scaledValue: 300, scale: 6, format: .decimalExponent), expected: "300e6"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: 12, format: .decimalExponent), expected: "1e12"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: 3, format: .decimalExponent), expected: "1e3"),
        ConstructedCase(quantity: .init(scaledValue: 3, scale: 3, format: .decimalExponent), expected: "3e3"),
        ConstructedCase(quantity: .init(0, format: .decimalExponent), expected: "0"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: -9), expected: "1n"),
        ConstructedCase(quantity: .init(scaledValue: 80, scale: -9), expected: "80n"),
        ConstructedCase(quantity: .init(scaledValue: 1080, scale: -9), expected: "1080n"),
        ConstructedCase(quantity: .init(scaledValue: 108, scale: -8), expected: "1080n"),
        ConstructedCase(quantity: .init(scaledValue: 10800, scale: -10), expected: "1080n"),
        ConstructedCase(quantity: .init(scaledValue: 1, scale: -6), expected: "1u"),
        ConstructedCase(quantity: .init(scaledValue: 80, scale: -6), expected: "80u"),
        ConstructedCase(quantity: .init(scaledValue: 1080, scale: -6), expected: "1080u"),
        // TestMilliNewSet and TestNewSet.
        ConstructedCase(quantity: .init(milliValue: 1, format: .decimalSI), expected: "1m"),
        ConstructedCase(quantity: .init(milliValue: 1000, format: .decimalSI), expected: "1"),
        ConstructedCase(quantity: .init(milliValue: 1_234_000, format: .decimalSI), expected: "1234"),
        ConstructedCase(quantity: .init(milliValue: 1024, format: .binarySI), expected: "1024m"),
        ConstructedCase(quantity: .init(milliValue: 1024 * 1024, format: .binarySI), expected: "1048576m"),
        ConstructedCase(quantity: .init(1000, format: .decimalSI), expected: "1k"),
        ConstructedCase(quantity: .init(1_234_000, format: .decimalSI), expected: "1234k"),
        ConstructedCase(quantity: .init(1024, format: .binarySI), expected: "1Ki"),
        ConstructedCase(quantity: .init(1_000_000, format: .decimalExponent), expected: "1e6"),
        ConstructedCase(quantity: .init(1024 * 1024, format: .binarySI), expected: "1Mi"),
    ])
    func serialisesConstructedValues(_ c: ConstructedCase) throws {
        #expect(c.quantity.string == c.expected)
        if !c.quantity.isZero {
            #expect((-c.quantity).string == "-" + c.expected)
        }
        #expect(try Quantity(parsing: c.expected) == c.quantity)
    }

    struct ValueCase: Sendable, CustomTestStringConvertible {
        var input: String
        var value: Int64
        var milliValue: Int64
        var testDescription: String { self.input }
    }

    @Test(arguments: [
        ValueCase(input: "1", value: 1, milliValue: 1000), ValueCase(input: "100m", value: 1, milliValue: 100),
        ValueCase(input: "1.5", value: 2, milliValue: 1500), ValueCase(input: "-1.5", value: -2, milliValue: -1500),
        ValueCase(input: "1n", value: 1, milliValue: 1), ValueCase(input: "-1n", value: -1, milliValue: -1),
        ValueCase(input: "1Gi", value: 1 << 30, milliValue: 1000 << 30), ValueCase(input: "0", value: 0, milliValue: 0),
        ValueCase(input: "1E", value: 1_000_000_000_000_000_000, milliValue: Int64.max),
        ValueCase(input: "9.01", value: 10, milliValue: 9010), ValueCase(input: "-9.01", value: -10, milliValue: -9010),
        ValueCase(input: "1e30", value: Int64.max, milliValue: Int64.max),
        ValueCase(input: "-1e30", value: Int64.min, milliValue: Int64.min),
    ])
    func readsValuesRoundingAwayFromZero(_ c: ValueCase) throws {
        let quantity = try Quantity(parsing: c.input)
        #expect(quantity.value == c.value)
        #expect(quantity.milliValue == c.milliValue)
    }

    @Test func scaledValueMatchesUpstream() {
        // Upstream's TestScaledValue: NewScaledQuantity(1, from).ScaledValue(to).
        let table: [(from: Int32, to: Int32, expected: Int64)] = [
            (-9, -9, 1), (-9, -6, 1), (-9, -3, 1), (-9, 0, 1), (-6, -9, 1000), (-6, -6, 1), (-6, -3, 1), (-6, 0, 1),
            (-3, -9, 1_000_000), (-3, -6, 1000), (-3, -3, 1), (-3, 0, 1), (0, -9, 1_000_000_000), (0, -6, 1_000_000),
            (0, -3, 1000), (0, 0, 1), (2, -2, 10000),
        ]
        for row in table {
            #expect(Quantity(scaledValue: 1, scale: row.from).scaledValue(row.to) == row.expected, "\(row)")
        }
    }

    struct CompareCase: Sendable, CustomTestStringConvertible {
        var lhs: String
        var rhs: String
        var order: Int
        var testDescription: String { "\(self.lhs) vs \(self.rhs)" }
    }

    @Test(arguments: [
        CompareCase(lhs: "0", rhs: "0", order: 0), CompareCase(lhs: "100m", rhs: "50m", order: 1),
        CompareCase(lhs: "50m", rhs: "100m", order: -1), CompareCase(lhs: "10000T", rhs: "100Gi", order: 1),
        CompareCase(lhs: "1Gi", rhs: "1073741824", order: 0), CompareCase(lhs: "1k", rhs: "1000", order: 0),
        CompareCase(lhs: "-1", rhs: "1n", order: -1), CompareCase(lhs: "-2", rhs: "-1", order: -1),
        CompareCase(lhs: "1e100", rhs: "1E", order: 1), CompareCase(lhs: "1n", rhs: "0", order: 1),
        CompareCase(lhs: "999999999n", rhs: "1", order: -1), CompareCase(lhs: "1000000001n", rhs: "1", order: 1),
        CompareCase(lhs: "9.01", rhs: "9010m", order: 0), CompareCase(lhs: "-1e30", rhs: "-1e29", order: -1),
    ])
    func comparesByValue(_ c: CompareCase) throws {
        let lhs = try Quantity(parsing: c.lhs)
        let rhs = try Quantity(parsing: c.rhs)
        #expect(Quantity.compare(lhs, rhs) == c.order)
        #expect(Quantity.compare(rhs, lhs) == -c.order)
        #expect((lhs == rhs) == (c.order == 0))
        if c.order == 0 { #expect(lhs.hashValue == rhs.hashValue) }
    }

    struct ArithmeticCase: Sendable, CustomTestStringConvertible {
        var lhs: Quantity
        var rhs: Quantity
        var sum: String
        var difference: String
        var testDescription: String { "\(self.lhs) ± \(self.rhs)" }
    }

    @Test(arguments: [
        ArithmeticCase(
            lhs: .init(10, format: .decimalSI),
            rhs: .init(scaledValue: 1, scale: 1),
            sum: "20",
            difference: "0"
        ),
        ArithmeticCase(
            lhs: .init(10, format: .decimalSI),
            rhs: .init(1, format: .binarySI),
            sum: "11",
            difference: "9"
        ),
        ArithmeticCase(lhs: .init(), rhs: .init(50, format: .decimalSI), sum: "50", difference: "-50"),
        ArithmeticCase(lhs: .init(50, format: .decimalSI), rhs: .init(), sum: "50", difference: "50"),
        ArithmeticCase(lhs: .init(), rhs: .init(), sum: "0", difference: "0"),
        // Adding to or subtracting from zero keeps the other's suffix (TestQuantityAddZeroPreservesSuffix).
        ArithmeticCase(lhs: .init(), rhs: "100m", sum: "100m", difference: "-100m"),
        ArithmeticCase(lhs: .init(), rhs: "1Gi", sum: "1Gi", difference: "-1Gi"),
        ArithmeticCase(lhs: "1Gi", rhs: .init(), sum: "1Gi", difference: "1Gi"),
        ArithmeticCase(lhs: "1Gi", rhs: "512Mi", sum: "1536Mi", difference: "512Mi"),
        ArithmeticCase(lhs: "100m", rhs: "1", sum: "1100m", difference: "-900m"),
        ArithmeticCase(
            lhs: "1E",
            rhs: "1n",
            sum: "1000000000000000000000000001n",
            difference: "999999999999999999999999999n"
        ),
        ArithmeticCase(lhs: "4Ei", rhs: "4Ei", sum: "8Ei", difference: "0"),
        ArithmeticCase(lhs: "8Ei", rhs: "1", sum: "8Ei", difference: "9223372036854775806"),
    ])
    func addsAndSubtractsExactly(_ c: ArithmeticCase) {
        #expect((c.lhs + c.rhs).string == c.sum)
        #expect((c.lhs - c.rhs).string == c.difference)
    }

    struct RoundCase: Sendable, CustomTestStringConvertible {
        var input: String
        var scale: Int32
        var expected: Quantity
        var exact: Bool
        var testDescription: String { "\(self.input) to 10^\(self.scale)" }
    }

    // Upstream's TestQuantityRoundUp.
    @Test(arguments: [
        RoundCase(input: "9.01", scale: -3, expected: .init(scaledValue: 901, scale: -2), exact: true),
        RoundCase(input: "9.01", scale: -2, expected: .init(scaledValue: 901, scale: -2), exact: true),
        RoundCase(input: "9.01", scale: -1, expected: .init(scaledValue: 91, scale: -1), exact: false),
        RoundCase(input: "9.01", scale: 0, expected: .init(scaledValue: 10, scale: 0), exact: false),
        RoundCase(input: "9.01", scale: 1, expected: .init(scaledValue: 10, scale: 0), exact: false),
        RoundCase(input: "9.01", scale: 2, expected: .init(scaledValue: 100, scale: 0), exact: false),
        RoundCase(input: "-9.01", scale: -3, expected: .init(scaledValue: -901, scale: -2), exact: true),
        RoundCase(input: "-9.01", scale: -1, expected: .init(scaledValue: -91, scale: -1), exact: false),
        RoundCase(input: "-9.01", scale: 0, expected: .init(scaledValue: -10, scale: 0), exact: false),
        RoundCase(input: "-9.01", scale: 2, expected: .init(scaledValue: -100, scale: 0), exact: false),
    ])
    func roundsUpAwayFromZero(_ c: RoundCase) throws {
        let (rounded, exact) = try Quantity(parsing: c.input).roundedUp(toScale: c.scale)
        #expect(rounded == c.expected)
        #expect(exact == c.exact)
    }

    struct JSONCase: Sendable, CustomTestStringConvertible {
        var json: String
        var expected: String
        var testDescription: String { self.json }
    }

    // Upstream's TestJSONWhitespace plus numbers.
    @Test(arguments: [
        JSONCase(json: #"" 1""#, expected: "1"), JSONCase(json: #""1 ""#, expected: "1"),
        JSONCase(json: "1", expected: "1"), JSONCase(json: " 1", expected: "1"), JSONCase(json: "1 ", expected: "1"),
        JSONCase(json: "10", expected: "10"), JSONCase(json: "-1", expected: "-1"),
        JSONCase(json: " -1", expected: "-1"),
        JSONCase(json: "0.5", expected: "500m"), JSONCase(json: "1.5", expected: "1500m"),
        JSONCase(json: "1e3", expected: "1k"), JSONCase(json: #""1.5Gi""#, expected: "1536Mi"),
        JSONCase(json: "null", expected: "0"),
    ])
    func decodesFromStringsAndNumbers(_ c: JSONCase) throws {
        let quantity = try JSONDecoder().decode(Quantity.self, from: Data(c.json.utf8))
        #expect(quantity.string == c.expected)
        let encoded = try JSONEncoder().encode(quantity)
        #expect(String(decoding: encoded, as: UTF8.self) == "\"\(c.expected)\"")
    }

    @Test func decodingRejectsInvalidStrings() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Quantity.self, from: Data(#""1 Gi""#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Quantity.self, from: Data("true".utf8)) }
    }

    @Test func randomValuesRoundTripThroughTheirString() throws {
        var generator = SystemRandomNumberGenerator()
        let formats: [Quantity.Format] = [.decimalSI, .binarySI, .decimalExponent]
        for _ in 0..<2000 {
            let format = formats.randomElement(using: &generator)!
            let quantity: Quantity
            if Bool.random(using: &generator) {
                quantity = Quantity(Int64.random(in: -(1 << 62)...(1 << 62), using: &generator), format: format)
            } else {
                quantity = Quantity(
                    scaledValue: Int64.random(in: -999...999, using: &generator),
                    scale: Int32.random(in: -9...12, using: &generator),
                    format: format
                )
            }
            let reparsed = try Quantity(parsing: quantity.string)
            #expect(reparsed == quantity, "\(quantity.string)")
            if quantity.format != .binarySI {
                // A BinarySI value that is no multiple of 1024 is written without suffix and reads back as DecimalSI.
                #expect(reparsed.string == quantity.string)
            }
        }
    }

    @Test func veryLongInputsAreExact() throws {
        let tiny = try Quantity(parsing: "0." + String(repeating: "0", count: 200) + "1Ki")
        #expect(tiny.string == "1n")
        let long = try Quantity(parsing: "1" + String(repeating: "0", count: 40))
        #expect(long.string == "1" + String(repeating: "0", count: 22) + "E")
        // Far beyond E a DecimalSI value is written with an exponent instead of a run of zeros.
        #expect(try Quantity(parsing: "1" + String(repeating: "0", count: 60)).string == "1e60")
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: String(repeating: "7", count: 60)) }
    }

    @Test func extremeExponentsNeitherTrapNorHang() throws {
        let huge = try Quantity(parsing: "1e2147483647")
        let tiny = try Quantity(parsing: "1n")
        #expect(huge.string == "10e2147483646")
        #expect(Quantity.compare(huge, tiny) == 1)
        #expect(Quantity.compare(-huge, tiny) == -1)
        #expect(huge + tiny > huge)
        #expect((Quantity(1, format: .decimalSI) + huge).string.contains("e21474836"))
        #expect(huge.approximateDouble == .infinity)
        #expect(huge - tiny < huge)
        #expect(huge.value == .max)
        #expect((-huge).milliValue == .min)
        let (rounded, exact) = tiny.roundedUp(toScale: .max)
        #expect(!exact)
        #expect(rounded > tiny)
        #expect(try Quantity(parsing: "1e-2147483647").string == "1e-9")
        let big = try Quantity(parsing: "99999999999999999999999999999999999999")  // 38 digits
        // 39 significant digits do not fit: the sum is rounded away from zero (upstream would be exact).
        #expect((big + big).string == "200000000000000000000E")
    }
}
