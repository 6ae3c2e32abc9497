/// The lexer and recursive-descent parser of label selector strings, with upstream's tokens and error messages.
struct SelectorParser {
    enum Token: Equatable {
        case error
        case endOfString
        case closedParenthesis
        case comma
        case doesNotExist
        case doubleEquals
        case equals
        case greaterThan
        case identifier
        case `in`
        case lessThan
        case notEquals
        case notIn
        case openParenthesis
    }

    /// Whether `in`/`notin` are keywords (after a key) or plain identifiers (where values are expected).
    enum Context {
        case keyAndOperator
        case values
    }

    private var items: [(token: Token, literal: String)] = []
    private var position = 0

    init(_ string: String) {
        self.items = Self.scan(Array(string.utf8))
    }

    // MARK: Lexer

    private static func keyword(_ literal: String) -> Token? {
        switch literal {
        case ")": .closedParenthesis
        case ",": .comma
        case "!": .doesNotExist
        case "==": .doubleEquals
        case "=": .equals
        case ">": .greaterThan
        case "in": .in
        case "<": .lessThan
        case "!=": .notEquals
        case "notin": .notIn
        case "(": .openParenthesis
        default: nil
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            true
        default: false
        }
    }

    private static func scan(_ bytes: [UInt8]) -> [(token: Token, literal: String)] {
        var items: [(token: Token, literal: String)] = []
        var index = 0
        while true {
            while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count else {
                items.append((.endOfString, ""))
                return items
            }
            if Self.isSpecial(bytes[index]) {
                // The longest run of special characters that is a token (`!=` rather than `!`).
                var end = index
                var last: (token: Token, length: Int)?
                while end < bytes.count, Self.isSpecial(bytes[end]) {
                    end += 1
                    if let token = Self.keyword(String(decoding: bytes[index..<end], as: UTF8.self)) {
                        last = (token, end - index)
                    } else if last != nil {
                        break
                    }
                }
                guard let (token, length) = last else {
                    let found = String(decoding: bytes[index..<end], as: UTF8.self)
                    items.append((.error, "error expected: keyword found '\(found)'"))
                    index = end
                    continue
                }
                items.append((token, String(decoding: bytes[index..<(index + length)], as: UTF8.self)))
                index += length
            } else {
                let start = index
                while index < bytes.count, !Self.isSpecial(bytes[index]), !Self.isWhitespace(bytes[index]) {
                    index += 1
                }
                let literal = String(decoding: bytes[start..<index], as: UTF8.self)
                items.append((Self.keyword(literal) ?? .identifier, literal))
            }
        }
    }

    // MARK: Parser

    private func lookahead(_ context: Context) -> (token: Token, literal: String) {
        Self.adjust(self.items[self.position], context)
    }

    private mutating func consume(_ context: Context) -> (token: Token, literal: String) {
        let item = self.items[self.position]
        if self.position < self.items.count - 1 { self.position += 1 }
        return Self.adjust(item, context)
    }

    private static func adjust(_ item: (token: Token, literal: String), _ context: Context) -> (
        token: Token, literal: String
    ) {
        if context == .values, item.token == .in || item.token == .notIn { return (.identifier, item.literal) }
        return item
    }

    mutating func parse() throws(Labels.SelectorError) -> [Labels.Requirement] {
        var requirements: [Labels.Requirement] = []
        while true {
            let (token, literal) = self.lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try self.parseRequirement())
                } catch {
                    throw Labels.SelectorError("unable to parse requirement: \(error.message)")
                }
                let (next, nextLiteral) = self.consume(.values)
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = self.lookahead(.values)
                    if after != .identifier, after != .doesNotExist {
                        throw Labels.SelectorError("found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw Labels.SelectorError("found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw Labels.SelectorError("found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(Labels.SelectorError) -> Labels.Requirement {
        let (key, inferred) = try self.parseKeyAndInferOperator()
        if let inferred {
            return try Labels.Requirement(key: key, operator: inferred, values: [])
        }
        let op = try self.parseOperator()
        let values: Set<String>
        switch op {
        case .in, .notIn:
            values = try self.parseValues()
        default:
            values = try self.parseExactValue()
        }
        return try Labels.Requirement(key: key, operator: op, values: values.sorted())
    }

    /// The key, and `exists`/`doesNotExist` when no operator follows it.
    private mutating func parseKeyAndInferOperator() throws(Labels.SelectorError) -> (String, Labels.Operator?) {
        var (token, literal) = self.consume(.values)
        var op: Labels.Operator?
        if token == .doesNotExist {
            op = .doesNotExist
            (token, literal) = self.consume(.values)
        }
        guard token == .identifier else { throw Labels.SelectorError("found '\(literal)', expected: identifier") }
        let errors = Validation.isQualifiedName(literal)
        if !errors.isEmpty {
            throw Labels.SelectorError(
                "<nil>: Invalid value: \(goQuoted(literal)): \(errors.joined(separator: "; "))"
            )
        }
        let next = self.lookahead(.values).token
        if next == .endOfString || next == .comma {
            if op != .doesNotExist { op = .exists }
        }
        return (literal, op)
    }

    private mutating func parseOperator() throws(Labels.SelectorError) -> Labels.Operator {
        let (token, literal) = self.consume(.keyAndOperator)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default:
            let expected = Labels.Operator.binary.map(\.rawValue).joined(separator: ", ")
            throw Labels.SelectorError("found '\(literal)', expected: \(expected)")
        }
    }

    private mutating func parseValues() throws(Labels.SelectorError) -> Set<String> {
        let (token, literal) = self.consume(.values)
        guard token == .openParenthesis else { throw Labels.SelectorError("found '\(literal)' expected: '('") }
        let (next, nextLiteral) = self.lookahead(.values)
        switch next {
        case .identifier, .comma:
            let values = try self.parseIdentifiersList()
            guard self.consume(.values).token == .closedParenthesis else {
                throw Labels.SelectorError("found '\(nextLiteral)', expected: ')'")
            }
            return values
        case .closedParenthesis:
            _ = self.consume(.values)
            return [""]
        default:
            throw Labels.SelectorError("found '\(nextLiteral)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifiersList() throws(Labels.SelectorError) -> Set<String> {
        var values = Set<String>()
        while true {
            let (token, literal) = self.consume(.values)
            switch token {
            case .identifier:
                values.insert(literal)
                let (next, nextLiteral) = self.lookahead(.values)
                switch next {
                case .comma: continue
                case .closedParenthesis: return values
                default: throw Labels.SelectorError("found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if values.isEmpty { values.insert("") }  // "(,"
                let next = self.lookahead(.values).token
                if next == .closedParenthesis {
                    values.insert("")  // ",)"
                    return values
                }
                if next == .comma {
                    _ = self.consume(.values)
                    values.insert("")  // ",,"
                }
            default:
                throw Labels.SelectorError("found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(Labels.SelectorError) -> Set<String> {
        let next = self.lookahead(.values).token
        if next == .endOfString || next == .comma { return [""] }
        let (token, literal) = self.consume(.values)
        guard token == .identifier else { throw Labels.SelectorError("found '\(literal)', expected: identifier") }
        return [literal]
    }
}
