import Foundation

/// Parses textual IP addresses into the network-order bytes that an X.509 `iPAddress` subject alternative name holds.
///
/// Accepts dotted-quad IPv4 (`10.43.0.1`) and IPv6 in RFC 4291 text form, including `::` compression and a trailing
/// dotted IPv4 part (`::ffff:10.0.0.1`). A zone (`fe80::1%eth0`) or a prefix length is rejected: neither can appear
/// in a certificate.
enum IPAddressParser {
    /// The 4 or 16 bytes of `text`, or `nil` when it is not an IP address.
    static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            return self.parseIPv6(Substring(text))
        }
        return self.parseIPv4(Substring(text))
    }

    /// The textual form of 4 or 16 address bytes (IPv6 uncompressed but with leading zeros dropped), for messages.
    static func format(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        if bytes.count == 4 {
            return bytes.map(String.init).joined(separator: ".")
        }
        if bytes.count == 16 {
            return stride(from: 0, to: 16, by: 2)
                .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
        return bytes.map { String($0, radix: 16) }.joined(separator: " ")
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        for part in parts {
            // No signs, no leading zeros (which some parsers read as octal), at most three digits.
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = self.parseGroups(Substring(halves[0]), allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = self.parseGroups(Substring(halves[1]), allowIPv4Tail: true) else { return nil }
        // "::" stands for at least one group of zeros.
        guard head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// The bytes of colon-separated hex groups, the last of which may be a dotted IPv4 address.
    private static func parseGroups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, allowIPv4Tail, group.contains(".") {
                guard let ipv4 = self.parseIPv4(group) else { return nil }
                bytes += ipv4
                continue
            }
            guard (1...4).contains(group.count), group.allSatisfy({ $0.isHexDigit }),
                let value = UInt16(group, radix: 16)
            else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
        }
        return bytes
    }
}
