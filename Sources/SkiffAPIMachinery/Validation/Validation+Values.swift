extension Validation {
    /// Checks a percentage such as `25%` (upstream's `IsValidPercent`).
    public static func isValidPercent(_ value: String) -> [String] {
        let bytes = value.utf8
        let valid = bytes.count > 1 && bytes.last == UInt8(ascii: "%") && bytes.dropLast().allSatisfy(Self.isDigit)
        guard !valid else { return [] }
        return [
            Self.regexError(
                "a valid percent string must be a numeric string followed by an ending '%'",
                "[0-9]+%",
                "1%",
                "93%"
            )
        ]
    }

    /// Checks an environment variable name strictly: letters, digits, `_`, `-` or `.`, not starting with a digit
    /// (upstream's `IsEnvVarName`).
    public static func isEnvVarName(_ value: String) -> [String] {
        var errors: [String] = []
        let bytes = value.utf8
        let isNameByte = { (byte: UInt8) in
            Self.isLetter(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
        let valid = bytes.first.map(isNameByte) == true && bytes.allSatisfy { isNameByte($0) || Self.isDigit($0) }
        if !valid {
            errors.append(
                Self.regexError(
                    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or "
                        + "'.', and must not start with a digit",
                    "[-._a-zA-Z][-._a-zA-Z0-9]*",
                    "my.env-name",
                    "MY_ENV.NAME",
                    "MyEnvName1"
                )
            )
        }
        errors += Self.chDirPrefixErrors(value)
        return errors
    }

    /// Checks an environment variable name as 1.32 does by default (`RelaxedEnvironmentVariableValidation`): not
    /// empty, printable ASCII other than `=` (upstream's `IsRelaxedEnvVarName`).
    public static func isRelaxedEnvVarName(_ value: String) -> [String] {
        var errors: [String] = []
        if value.isEmpty { errors.append("environment variable name " + Self.emptyError) }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E || $0 == "=" }) {
            errors.append(
                "a valid environment variable name must consist only of printable ASCII characters other than '='"
            )
        }
        return errors
    }

    /// `must not be '.'`, `must not be '..'`, `must not start with '..'` (upstream's `hasChDirPrefix`).
    static func chDirPrefixErrors(_ value: String) -> [String] {
        if value == "." { return ["must not be '.'"] }
        if value == ".." { return ["must not be '..'"] }
        if value.hasPrefix("..") { return ["must not start with '..'"] }
        return []
    }

    /// Whether `value` is an IPv4 address in dotted-decimal form (leading zeros allowed, as Go's `ParseIPSloppy`).
    public static func isIPv4Address(_ value: String) -> Bool {
        let parts = value.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(Self.isDigit),
                let number = Int(String(Substring(part))), number <= 255
            else { return false }
        }
        return true
    }

    /// Whether `value` is an IPv6 address (with an optional embedded IPv4 tail).
    public static func isIPv6Address(_ value: String) -> Bool {
        guard value.contains(":") else { return false }
        var text = Substring(value)
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard Self.isIPv4Address(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
            groupsNeeded = 6
        }
        var halves: [Substring] = [text]
        let chars = Array(text.utf8)
        if let at = (0..<max(chars.count - 1, 0)).first(where: { chars[$0] == 58 && chars[$0 + 1] == 58 }) {
            let start = text.utf8.index(text.startIndex, offsetBy: at)
            let end = text.utf8.index(start, offsetBy: 2)
            halves = [text[..<start], text[end...]]
            if halves[1].contains("::") { return false }
        }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for item in items {
                guard (1...4).contains(item.count), item.allSatisfy(\.isHexDigit) else { return nil }
            }
            return items
        }
        guard let head = groups(String(halves[0])) else { return false }
        if halves.count == 2 {
            guard let tail = groups(String(halves[1])) else { return false }
            return head.count + tail.count < groupsNeeded
        }
        return head.count == groupsNeeded
    }

    /// Whether `value` is an IPv4 or IPv6 address.
    public static func isIPAddress(_ value: String) -> Bool {
        Self.isIPv4Address(value) || Self.isIPv6Address(value)
    }

    /// The message of an invalid IP address (upstream's `IsValidIP`).
    public static let invalidIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

    /// Checks a CIDR such as `10.0.0.0/8` (upstream's `IsValidCIDR`).
    public static func isValidCIDR(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let bits = Self.isIPv4Address(String(parts[0])) ? 32 : 128
        guard parts.count == 2, Self.isIPAddress(String(parts[0])), let prefix = Int(parts[1]), (0...bits).contains(prefix),
            parts[1].allSatisfy(\.isNumber)
        else { return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"] }
        return []
    }

    /// Checks a fully qualified domain name: a DNS subdomain with at least two labels (upstream's
    /// `IsFullyQualifiedDomainName`, without the field path).
    public static func isFullyQualifiedDomainName(_ value: String) -> [String] {
        var name = value
        if name.hasSuffix(".") { name.removeLast() }
        var errors: [String] = []
        if name.isEmpty { return ["Required value"] }
        if !name.contains(".") {
            errors.append("should be a domain with at least two segments separated by dots")
        }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if !Self.isDNS1123Label(String(label)).isEmpty {
                errors.append(
                    Self.regexError(Self.dns1123SubdomainErrorMessage, Self.dns1123SubdomainFormat, "example.com")
                )
                break
            }
        }
        return errors
    }
}
