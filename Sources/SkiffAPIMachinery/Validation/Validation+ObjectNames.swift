extension Validation {
    /// Checks that `name` can be a URL path segment (upstream's `path.IsValidPathSegmentName`): it may not be `.`
    /// or `..` and may not contain `/` or `%`. Every object name must pass this.
    public static func isValidPathSegmentName(_ name: String) -> [String] {
        if name == "." || name == ".." { return ["may not be '\(name)'"] }
        return Self.isValidPathSegmentPrefix(name)
    }

    /// Checks a `generateName` prefix for path safety (upstream's `path.IsValidPathSegmentPrefix`): no `/`, no `%`.
    public static func isValidPathSegmentPrefix(_ name: String) -> [String] {
        var errors: [String] = []
        if name.utf8.contains(UInt8(ascii: "/")) { errors.append("may not contain '/'") }
        if name.utf8.contains(UInt8(ascii: "%")) { errors.append("may not contain '%'") }
        return errors
    }

    /// Checks an object name (or, with `prefix`, a `generateName` prefix) as a DNS-1123 subdomain (upstream's
    /// `NameIsDNSSubdomain`); a prefix may end in `-`.
    public static func nameIsDNSSubdomain(_ name: String, prefix: Bool) -> [String] {
        Self.isDNS1123Subdomain(prefix ? Self.maskTrailingDash(name) : name)
    }

    /// Checks an object name (or a `generateName` prefix) as a DNS-1123 label (upstream's `NameIsDNSLabel`).
    public static func nameIsDNSLabel(_ name: String, prefix: Bool) -> [String] {
        Self.isDNS1123Label(prefix ? Self.maskTrailingDash(name) : name)
    }

    /// Checks an object name (or a `generateName` prefix) as a DNS-1035 label (upstream's `NameIsDNS1035Label`).
    public static func nameIsDNS1035Label(_ name: String, prefix: Bool) -> [String] {
        Self.isDNS1035Label(prefix ? Self.maskTrailingDash(name) : name)
    }

    /// Upstream's `maskTrailingDash`: a trailing `-` of a prefix is allowed, so `name[:len-2] + "a"` is checked.
    static func maskTrailingDash(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > 1, bytes.last == UInt8(ascii: "-") else { return name }
        return String(decoding: bytes.dropLast(2), as: UTF8.self) + "a"
    }

    /// Checks a wildcard DNS-1123 subdomain such as `*.example.com`.
    public static func isWildcardDNS1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > Self.dns1123SubdomainMaxLength {
            errors.append(Self.maxLengthError(Self.dns1123SubdomainMaxLength))
        }
        if !(value.hasPrefix("*.") && Self.matchesDNS1123Subdomain(String(value.dropFirst(2)))) {
            errors.append(
                Self.regexError(
                    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which "
                        + "must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric "
                        + "character",
                    "\\*\\." + Self.dns1123SubdomainFormat,
                    "*.example.com"
                )
            )
        }
        return errors
    }

    /// Checks that `value` is within `low...high` (upstream's `IsInRange`).
    public static func isInRange(_ value: Int, _ low: Int, _ high: Int) -> [String] {
        (low...high).contains(value) ? [] : [Self.inclusiveRangeError(low, high)]
    }

    /// Checks a user ID: 0 to 2147483647 (upstream's `IsValidUserID`).
    public static func isValidUserID(_ uid: Int64) -> [String] {
        (0...Int64(Int32.max)).contains(uid) ? [] : [Self.inclusiveRangeError(0, Int(Int32.max))]
    }

    /// Checks a group ID: 0 to 2147483647 (upstream's `IsValidGroupID`).
    public static func isValidGroupID(_ gid: Int64) -> [String] {
        (0...Int64(Int32.max)).contains(gid) ? [] : [Self.inclusiveRangeError(0, Int(Int32.max))]
    }
}
