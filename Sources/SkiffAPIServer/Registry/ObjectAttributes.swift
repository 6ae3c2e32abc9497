package import SkiffAPIMachinery

/// What label and field selectors look at: an object's labels and its selectable fields as strings
/// (↔ the `GetAttrs` functions of upstream's registries).
///
/// Extracted once per stored change (by the watch cache) or per listed item, never per watcher.
package struct ObjectAttributes: Sendable, Hashable {
    package var labels: [String: String]
    package var fields: [String: String]

    package init(labels: [String: String] = [:], fields: [String: String] = [:]) {
        self.labels = labels
        self.fields = fields
    }

    /// The attributes of `object` for `resource`'s selectable fields.
    package init(object: JSONValue, resource: ServedResource) {
        var labels: [String: String] = [:]
        if case .object(let members)? = object["metadata"]?["labels"] {
            for (key, value) in members {
                if case .string(let string) = value { labels[key] = string }
            }
        }
        var fields: [String: String] = [:]
        fields["metadata.name"] = object["metadata"]?["name"]?.stringValue ?? ""
        if resource.isNamespaced { fields["metadata.namespace"] = object["metadata"]?["namespace"]?.stringValue ?? "" }
        for field in resource.selectableFields {
            fields[field] = Self.fieldValue(object, path: field)
        }
        self.labels = labels
        self.fields = fields
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
            && (fieldSelector.isEmpty || fieldSelector.matches(self.fields))
    }
}
