#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import SkiffAPI
import SkiffAPIMachinery

/// Cell formatting shared by the printers, each after the upstream helper it names.
enum Format {
    /// `translateTimestampSince`: the age of `time` at `now`, `<unknown>` for an unset or zero time.
    static func age(_ time: Time?, now: Date) -> String {
        guard let time, !time.isZero else { return "<unknown>" }
        return HumanDuration.format(from: time.date, to: now)
    }

    /// `translateMicroTimestampSince`.
    static func age(_ time: MicroTime?, now: Date) -> String {
        guard let time, !time.isZero else { return "<unknown>" }
        return HumanDuration.format(from: time.date, to: now)
    }

    /// `labels.FormatLabels`: `k1=v1,k2=v2` sorted by key, or `<none>`.
    static func labels(_ labels: [String: String]?) -> String {
        let string = (labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return string.isEmpty ? "<none>" : string
    }

    /// `metav1.FormatLabelSelector`: the selector string, `<none>` when it selects everything or nothing, `<error>`
    /// when it is invalid.
    static func labelSelector(_ selector: MetaV1.LabelSelector?) -> String {
        guard let parsed = try? Labels.Selector(selector) else { return "<error>" }
        let string = parsed.description
        return string.isEmpty ? "<none>" : string
    }

    /// A selector as `printDeployment` writes it: the string (empty when it selects everything), `<invalid>`.
    static func selectorString(_ selector: MetaV1.LabelSelector?) -> String {
        guard let parsed = try? Labels.Selector(selector) else { return "<invalid>" }
        return parsed.description
    }

    /// `layoutContainerCells`: container names and images, each joined by `,`.
    static func containerCells(_ containers: [CoreV1.Container]?) -> (names: String, images: String) {
        let containers = containers ?? []
        return (
            containers.map(\.name).joined(separator: ","),
            containers.map { $0.image ?? "" }.joined(separator: ",")
        )
    }

    /// `helper.GetAccessModesAsString`: `RWO,ROX,RWX,RWOP`, in that order, each once.
    static func accessModes(_ modes: [String]?) -> String {
        let modes = Set(modes ?? [])
        let known = [
            ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"),
        ]
        return known.filter { modes.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    /// A quantity as Go's `Quantity.String()`: the zero value (`0`) when absent.
    static func quantity(_ quantity: Quantity?) -> String {
        quantity?.string ?? "0"
    }

    /// A pointer quantity as Go's `(*Quantity).String()`: `<nil>` when absent.
    static func quantityPointer(_ quantity: Quantity?) -> String {
        quantity?.string ?? "<nil>"
    }

    /// `printBoolPtr`: `True`, `False` or `<unset>`.
    static func boolPointer(_ value: Bool?) -> String {
        guard let value else { return "<unset>" }
        return value ? "True" : "False"
    }

    /// `listWithMoreString`: the first items, `a,b,c + 2 more...` past `max`, `<unset>` for none.
    static func listWithMore(_ list: [String], more: Bool, count: Int, max: Int) -> String {
        let joined = list.joined(separator: ",")
        if more { return "\(joined) + \(count - max) more..." }
        return joined.isEmpty ? "<unset>" : joined
    }

    /// Go's `net.JoinHostPort`: brackets around a host containing a colon.
    static func joinHostPort(_ host: String, _ port: Int32) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Go's `IntOrString.String()`.
    static func intOrString(_ value: IntOrString) -> String {
        switch value {
        case .int(let int): String(int)
        case .string(let string): string
        }
    }

    /// The first non-empty string, or `""` (`firstNonEmpty`).
    static func firstNonEmpty(_ strings: String?...) -> String {
        strings.lazy.compactMap { $0 }.first { !$0.isEmpty } ?? ""
    }

    /// Go's `strings.TrimSpace` for ASCII and Unicode white space.
    static func trimSpace(_ string: String) -> String {
        let scalars = string.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
