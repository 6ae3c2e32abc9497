import SkiffAPIMachinery
import SkiffPrinters

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The clock all printer tests read: 2024-05-01T12:00:00Z.
let now = Date(timeIntervalSince1970: 1_714_564_800)

/// An RFC 3339 timestamp `seconds` before ``now``.
func ago(_ seconds: Int) -> JSONValue {
    .string(Time(now.addingTimeInterval(-Double(seconds))).string)
}

/// Metadata with a name and a creation time `age` seconds ago.
func metadata(_ name: String, age: Int? = nil, extra: JSONObject = [:]) -> JSONValue {
    var object: JSONObject = ["name": .string(name)]
    if let age { object["creationTimestamp"] = ago(age) }
    for (key, value) in extra { object[key] = value }
    return .object(object)
}

/// The cells of one row.
func cells(_ group: String, _ resource: String, _ object: JSONValue) -> [JSONValue] {
    TableConvertor().row(group: group, resource: resource, object: object, now: now).cells
}
