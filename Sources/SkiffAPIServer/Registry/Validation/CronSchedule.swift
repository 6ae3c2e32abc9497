import SkiffAPIMachinery

/// A cron schedule parsed as the CronJob controller parses it (↔ `robfig/cron/v3` `ParseStandard`: five fields
/// or a `@` descriptor), used to validate `spec.schedule` with the parser's error messages.
struct CronSchedule: Sendable, Equatable {
    /// The allowed values per field: minute, hour, day of month, month, day of week.
    var fields: [Set<Int>]

    struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        var description: String
    }

    private struct Bounds {
        var minimum: Int
        var maximum: Int
        var names: [String: Int] = [:]
    }

    private static let bounds: [Bounds] = [
        Bounds(minimum: 0, maximum: 59),
        Bounds(minimum: 0, maximum: 23),
        Bounds(minimum: 1, maximum: 31),
        Bounds(
            minimum: 1,
            maximum: 12,
            names: [
                "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
                "nov": 11, "dec": 12,
            ]
        ),
        Bounds(minimum: 0, maximum: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]),
    ]

    private static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    init(parsing spec: String) throws(ParseError) {
        guard !spec.isEmpty else { throw ParseError(description: "empty spec string") }
        var spec = Substring(spec)
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            guard let space = spec.firstIndex(of: " ") else {
                let zone = spec.drop(while: { $0 != "=" }).dropFirst()
                throw ParseError(description: "provided bad location \(zone): unknown time zone")
            }
            spec = spec[space...].drop { $0 == " " }
        }
        if spec.hasPrefix("@") {
            if spec.hasPrefix("@every ") {
                let duration = spec.dropFirst("@every ".count)
                guard Self.isGoDuration(duration) else {
                    throw ParseError(description: "failed to parse duration \(spec): time: invalid duration \"\(duration)\"")
                }
                self.fields = []
                return
            }
            guard let expanded = Self.descriptors[String(spec)] else {
                throw ParseError(description: "unrecognized descriptor: \(spec)")
            }
            spec = Substring(expanded)
        }
        let parts = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard parts.count == 5 else {
            throw ParseError(
                description: "expected exactly 5 fields, found \(parts.count): [\(parts.joined(separator: " "))]"
            )
        }
        var fields: [Set<Int>] = []
        for (part, bounds) in zip(parts, Self.bounds) {
            fields.append(try Self.field(part, bounds))
        }
        self.fields = fields
    }

    private static func field(_ field: String, _ bounds: Bounds) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for expression in field.split(separator: ",") {
            values.formUnion(try Self.range(String(expression), bounds))
        }
        return values
    }

    private static func range(_ expression: String, _ bounds: Bounds) throws(ParseError) -> Set<Int> {
        let rangeAndStep = expression.split(separator: "/", omittingEmptySubsequences: false)
        let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false)
        var start: Int
        var end: Int
        if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
            start = bounds.minimum
            end = bounds.maximum
        } else {
            start = try Self.intOrName(String(lowAndHigh[0]), bounds.names)
            switch lowAndHigh.count {
            case 1: end = start
            case 2: end = try Self.intOrName(String(lowAndHigh[1]), bounds.names)
            default: throw ParseError(description: "too many hyphens: \(expression)")
            }
        }
        var step = 1
        switch rangeAndStep.count {
        case 1: break
        case 2:
            step = try Self.integer(String(rangeAndStep[1]))
            if lowAndHigh.count == 1 { end = bounds.maximum }
        default:
            throw ParseError(description: "too many slashes: \(expression)")
        }
        if start < bounds.minimum {
            throw ParseError(description: "beginning of range (\(start)) below minimum (\(bounds.minimum)): \(expression)")
        }
        if end > bounds.maximum {
            throw ParseError(description: "end of range (\(end)) above maximum (\(bounds.maximum)): \(expression)")
        }
        if start > end {
            throw ParseError(description: "beginning of range (\(start)) beyond end of range (\(end)): \(expression)")
        }
        if step == 0 {
            throw ParseError(description: "step of range should be a positive number: \(expression)")
        }
        return Set(stride(from: start, through: end, by: step))
    }

    private static func intOrName(_ text: String, _ names: [String: Int]) throws(ParseError) -> Int {
        if let named = names[text.lowercased()] { return named }
        return try Self.integer(text)
    }

    /// `mustParseInt`, with `strconv.Atoi`'s wording.
    private static func integer(_ text: String) throws(ParseError) -> Int {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            throw ParseError(
                description: "failed to parse int from \(text): strconv.Atoi: parsing \(GoSyntax.quoted(text)): invalid syntax"
            )
        }
        guard let number = Int(text) else {
            throw ParseError(
                description: "failed to parse int from \(text): strconv.Atoi: parsing \(GoSyntax.quoted(text)): value out of range"
            )
        }
        if number < 0 { throw ParseError(description: "negative number (\(number)) not allowed: \(text)") }
        return number
    }

    /// Whether `text` is a Go duration such as `1h30m` or `90s`.
    private static func isGoDuration(_ text: Substring) -> Bool {
        var rest = text
        guard !rest.isEmpty else { return false }
        let units = ["ns", "us", "µs", "ms", "s", "m", "h"]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty else { return false }
            rest = rest.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.count > $1.count }).first(where: { rest.hasPrefix($0) }) else {
                return false
            }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }
}
