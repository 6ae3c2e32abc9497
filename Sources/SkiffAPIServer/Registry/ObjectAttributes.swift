package import SkiffAPIMachinery

/// What label and field selectors look at: an object's labels and its selectable fields as strings
/// (↔ the `GetAttrs` functions of upstream's registries).
///
/// Extracted once per stored change (by the watch cache) or per listed item, never per watcher.
package struct ObjectAttributes: Sendable, Hashable {
    package var labels: [String: String]
    package var fields: SelectableFieldValues

    package init(labels: [String: String] = [:], fields: [String: String] = [:]) {
        self.labels = labels
        self.fields = SelectableFieldValues(fields)
    }

    /// The attributes of `object` for `resource`'s selectable fields.
    package init(object: JSONValue, resource: ServedResource) {
        var labels: [String: String] = [:]
        if case .object(let members)? = object["metadata"]?["labels"] {
            for (key, value) in members {
                if case .string(let string) = value { labels[key] = string }
            }
        }
        let names = resource.allSelectableFields
        self.labels = labels
        self.fields = SelectableFieldValues(names: names, values: names.map { Self.fieldValue(object, path: $0) })
    }

    /// The selectable value at a dotted path: strings as they are, booleans and numbers in Go's `%v` form, and
    /// `""` when absent. Events' `source` selects `source.component`, as upstream.
    static func fieldValue(_ object: JSONValue, path: String) -> String {
        var current: JSONValue? = object
        if path == "source" {
            current = current?["source"]?["component"]
        } else {
            // Component by component, without building an array of them (this runs for every stored change).
            var start = path.startIndex
            while true {
                let end = path[start...].firstIndex(of: ".") ?? path.endIndex
                current = current?[String(path[start..<end])]
                guard end < path.endIndex else { break }
                start = path.index(after: end)
            }
        }
        switch current {
        case .string(let string)?: return string
        case .bool(let bool)?: return bool ? "true" : "false"
        case .int(let int)?: return String(int)
        case .double(let double)?: return String(double)
        default:
            // Upstream's converters print unset booleans and counters as their zero values.
            if path == "spec.hostNetwork" || path == "spec.unschedulable" { return "false" }
            if path == "status.successful" || path.hasSuffix("status.replicas") { return "0" }
            return ""
        }
    }

    /// Whether the attributes pass both selectors.
    package func matches(labels labelSelector: Labels.Selector, fields fieldSelector: Fields.Selector) -> Bool {
        (labelSelector.isEmpty || labelSelector.matches(self.labels))
            && (fieldSelector.isEmpty || fieldSelector.matches { self.fields[$0] })
    }
}

/// The selectable field values of one object, in the order of its resource's field names, which every object of
/// the resource shares: a dozen strings rather than a dictionary for each version the watch cache holds.
package struct SelectableFieldValues: Sendable, Hashable {
    /// ``ServedResource/allSelectableFields``, shared.
    private let names: [String]
    private let values: [String]

    init(names: [String], values: [String]) {
        self.names = names
        self.values = values
    }

    init(_ fields: [String: String]) {
        let sorted = fields.sorted { $0.key < $1.key }
        self.init(names: sorted.map(\.key), values: sorted.map(\.value))
    }

    /// The value of the field `name`, or `nil` when the resource has no such selectable field.
    package subscript(name: String) -> String? {
        guard let index = self.names.firstIndex(of: name) else { return nil }
        return self.values[index]
    }
}
