/// Name and value checks with upstream's exact messages (`k8s.io/apimachinery/pkg/util/validation`, v1.32).
///
/// Every check returns the list of problems, empty when the value is valid, worded exactly as upstream so that
/// API errors read the same to clients. The checks scan bytes directly rather than using regular expressions; the
/// regular expressions quoted in the messages are upstream's and describe the same languages.
///
/// ## Topics
/// ### DNS names
/// - ``isDNS1123Label(_:)``
/// - ``isDNS1123Subdomain(_:)``
/// - ``isDNS1035Label(_:)``
/// ### Labels and annotations
/// - ``isQualifiedName(_:)``
/// - ``isValidLabelValue(_:)``
/// - ``validateAnnotationsSize(_:)``
/// ### Other identifiers
/// - ``isCIdentifier(_:)``
/// - ``isConfigMapKey(_:)``
/// - ``isValidPortName(_:)``
/// - ``isValidPortNum(_:)``
public enum Validation {
    /// The longest DNS-1123 label (63).
    public static let dns1123LabelMaxLength = 63
    /// The longest DNS-1123 subdomain (253).
    public static let dns1123SubdomainMaxLength = 253
    /// The longest DNS-1035 label (63).
    public static let dns1035LabelMaxLength = 63
    /// The longest label value (63).
    public static let labelValueMaxLength = 63
    /// The longest name part of a qualified name (63).
    public static let qualifiedNameMaxLength = 63
    /// The most bytes all annotations of an object may hold together, keys plus values (256 KiB).
    public static let totalAnnotationSizeLimitBytes = 256 * (1 << 10)

    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelErrorMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
        + "end with an alphanumeric character"
    static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    static let dns1123SubdomainErrorMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
        + "start and end with an alphanumeric character"
    static let dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let dns1035LabelErrorMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        + "character, and end with an alphanumeric character"
    static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let qualifiedNameErrorMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
        + "character"
    static let labelValueFormat = "(" + qualifiedNameFormat + ")?"
    static let labelValueErrorMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        + "start and end with an alphanumeric character"
    static let cIdentifierFormat = "[A-Za-z_][A-Za-z0-9_]*"
    static let cIdentifierErrorMessage =
        "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric "
        + "characters or '_'"
    static let configMapKeyFormat = "[-._a-zA-Z0-9]+"
    static let configMapKeyErrorMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

    /// Checks an RFC 1123 label: lower-case alphanumerics and `-`, alphanumeric at both ends, at most 63 bytes.
    public static func isDNS1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.dns1123LabelMaxLength {
            errors.append(Self.maxLengthError(Self.dns1123LabelMaxLength))
        }
        if !Self.matchesDNS1123Label(value.utf8[...]) {
            if Self.matchesDNS1123Subdomain(value) {
                errors.append("must not contain dots")
            } else {
                errors.append(
                    Self.regexError(Self.dns1123LabelErrorMessage, Self.dns1123LabelFormat, "my-name", "123-abc")
                )
            }
        }
        return errors
    }

    /// Checks an RFC 1123 subdomain: dot-separated RFC 1123 labels, at most 253 bytes.
    public static func isDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.dns1123SubdomainMaxLength {
            errors.append(Self.maxLengthError(Self.dns1123SubdomainMaxLength))
        }
        if !Self.matchesDNS1123Subdomain(value) {
            errors.append(
                Self.regexError(Self.dns1123SubdomainErrorMessage, Self.dns1123SubdomainFormat, "example.com")
            )
        }
        return errors
    }

    /// Checks an RFC 1035 label: like an RFC 1123 label, but starting with a letter.
    public static func isDNS1035Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.dns1035LabelMaxLength {
            errors.append(Self.maxLengthError(Self.dns1035LabelMaxLength))
        }
        let bytes = value.utf8
        if !(Self.matchesDNS1123Label(bytes[...]) && Self.isLowerLetter(bytes.first!)) {
            errors.append(
                Self.regexError(Self.dns1035LabelErrorMessage, Self.dns1035LabelFormat, "my-name", "abc-123")
            )
        }
        return errors
    }

    /// Checks a qualified name such as a label key: an optional DNS subdomain prefix and `/`, then a name of at most
    /// 63 alphanumerics, `-`, `_` or `.`, alphanumeric at both ends.
    public static func isQualifiedName(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part " + Self.emptyError)
            } else {
                errors += Self.isDNS1123Subdomain(String(Substring(prefix))).map { "prefix part " + $0 }
            }
        default:
            return errors + [
                "a qualified name "
                    + Self.regexError(
                        Self.qualifiedNameErrorMessage,
                        Self.qualifiedNameFormat,
                        "MyName",
                        "my.name",
                        "123-abc"
                    ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            errors.append("name part " + Self.emptyError)
        } else if name.count > Self.qualifiedNameMaxLength {
            errors.append("name part " + Self.maxLengthError(Self.qualifiedNameMaxLength))
        }
        if !Self.matchesQualifiedName(name) {
            errors.append(
                "name part "
                    + Self.regexError(
                        Self.qualifiedNameErrorMessage,
                        Self.qualifiedNameFormat,
                        "MyName",
                        "my.name",
                        "123-abc"
                    )
            )
        }
        return errors
    }

    /// Checks a label value: empty, or at most 63 alphanumerics, `-`, `_` or `.`, alphanumeric at both ends.
    public static func isValidLabelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.labelValueMaxLength {
            errors.append(Self.maxLengthError(Self.labelValueMaxLength))
        }
        if !value.isEmpty, !Self.matchesQualifiedName(value.utf8[...]) {
            errors.append(
                Self.regexError(Self.labelValueErrorMessage, Self.labelValueFormat, "MyValue", "my_value", "12345")
            )
        }
        return errors
    }

    /// Checks a C identifier (an environment variable name, for instance): a letter or `_`, then alphanumerics or
    /// `_`. The length is not checked.
    public static func isCIdentifier(_ value: String) -> [String] {
        let bytes = value.utf8
        let valid =
            bytes.first.map { Self.isLetter($0) || $0 == UInt8(ascii: "_") } == true
            && bytes.allSatisfy { Self.isLetter($0) || Self.isDigit($0) || $0 == UInt8(ascii: "_") }
        guard !valid else { return [] }
        return [Self.regexError(Self.cIdentifierErrorMessage, Self.cIdentifierFormat, "my_name", "MY_NAME", "MyName")]
    }

    /// Checks a ConfigMap or Secret key: at most 253 alphanumerics, `-`, `_` or `.`, and not `.`, `..` or `..…`.
    public static func isConfigMapKey(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.dns1123SubdomainMaxLength {
            errors.append(Self.maxLengthError(Self.dns1123SubdomainMaxLength))
        }
        let valid =
            !value.isEmpty
            && value.utf8.allSatisfy {
                Self.isLetter($0) || Self.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: ".")
            }
        if !valid {
            errors.append(
                Self.regexError(
                    Self.configMapKeyErrorMessage,
                    Self.configMapKeyFormat,
                    "key.name",
                    "KEY_NAME",
                    "key-name"
                )
            )
        }
        if value == "." {
            errors.append("must not be '.'")
        } else if value == ".." {
            errors.append("must not be '..'")
        } else if value.hasPrefix("..") {
            errors.append("must not start with '..'")
        }
        return errors
    }

    /// Checks a port name (IANA_SVC_NAME): at most 15 lower-case alphanumerics and `-`, with a letter, no `--`, and
    /// no `-` at either end.
    public static func isValidPortName(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = value.utf8
        if bytes.count > 15 {
            errors.append(Self.maxLengthError(15))
        }
        if bytes.isEmpty || !bytes.allSatisfy({ Self.isLowerLetter($0) || Self.isDigit($0) || $0 == UInt8(ascii: "-") })
        {
            errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: Self.isLowerLetter) {
            errors.append("must contain at least one letter (a-z)")
        }
        if value.contains("--") {
            errors.append("must not contain consecutive hyphens")
        }
        if let first = bytes.first, let last = bytes.last, first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            errors.append("must not begin or end with a hyphen")
        }
        return errors
    }

    /// Checks a port number: 1 to 65535.
    public static func isValidPortNum(_ port: Int) -> [String] {
        (1...65535).contains(port) ? [] : [Self.inclusiveRangeError(1, 65535)]
    }

    /// Checks the total size of an object's annotations, keys plus values, against 256 KiB.
    ///
    /// Returns upstream's `ValidateAnnotationsSize` message (`annotations size 262145 is larger than limit 262144`),
    /// or `nil` when the annotations fit. In an object's validation upstream reports this as
    /// `metadata.annotations: Too long: may not be more than 262144 bytes`.
    public static func validateAnnotationsSize(_ annotations: [String: String]) -> String? {
        var total = 0
        for (key, value) in annotations { total += key.utf8.count + value.utf8.count }
        guard total > Self.totalAnnotationSizeLimitBytes else { return nil }
        return "annotations size \(total) is larger than limit \(Self.totalAnnotationSizeLimitBytes)"
    }

    // MARK: Message builders, as upstream's.

    /// `must be no more than N characters`.
    public static func maxLengthError(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// `must be non-empty`.
    public static let emptyError = "must be non-empty"

    /// `must be between LO and HI, inclusive`.
    public static func inclusiveRangeError(_ low: Int, _ high: Int) -> String {
        "must be between \(low) and \(high), inclusive"
    }

    /// A regular-expression failure message with examples, as upstream's `RegexError`.
    public static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
        guard !examples.isEmpty else { return message + " (regex used for validation is '\(format)')" }
        let quoted = examples.map { "'\($0)', " }.joined(separator: " or ")
        return message + " (e.g. " + quoted + "regex used for validation is '\(format)')"
    }

    // MARK: Matchers

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLowerLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isLetter(_ byte: UInt8) -> Bool {
        Self.isLowerLetter(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// Whether the bytes match `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`.
    static func matchesDNS1123Label(_ bytes: Substring.UTF8View) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        let isAlphanumeric = { (byte: UInt8) in Self.isLowerLetter(byte) || Self.isDigit(byte) }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether the string matches `^label(\.label)*$`.
    static func matchesDNS1123Subdomain(_ value: String) -> Bool {
        value.utf8[...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            .allSatisfy { Self.matchesDNS1123Label($0) }
    }

    /// Whether the bytes match `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`.
    static func matchesQualifiedName(_ bytes: Substring.UTF8View) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        let isAlphanumeric = { (byte: UInt8) in Self.isLetter(byte) || Self.isDigit(byte) }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy {
                isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }
}
