// PLACEHOLDER (to be completed in this session): a fixed-point resource quantity with upstream semantics.
/// A resource quantity such as `100m`, `1.5Gi` or `2e3`, as `resource.Quantity` upstream.
/// Encodes as a JSON string.
public struct Quantity: Sendable, Hashable, Codable {
    public var string: String
    public init(_ string: String) { self.string = string }
    public init() { self.string = "0" }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self.string = String(number)
        } else if let number = try? container.decode(Double.self) {
            self.string = String(number)
        } else {
            self.string = try container.decode(String.self)
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.string)
    }
}
