// PLACEHOLDER (to be completed in this session): RFC 3339 parsing and formatting with upstream precision.
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A point in time with second precision, written as RFC 3339 (`2024-01-02T03:04:05Z`), as `meta/v1.Time`.
public struct Time: Sendable, Hashable, Codable {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        self.date = try Date(text, strategy: .iso8601)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.date.formatted(.iso8601))
    }
}

/// A point in time with microsecond precision (`2024-01-02T03:04:05.123456Z`), as `meta/v1.MicroTime`.
public struct MicroTime: Sendable, Hashable, Codable {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        self.date = try Date(text, strategy: .iso8601)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.date.formatted(.iso8601))
    }
}
