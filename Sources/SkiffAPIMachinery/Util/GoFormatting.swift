// Helpers that print values the way Go's fmt verbs do, so that messages match upstream's byte for byte.

/// A string quoted as Go's `%q` does for printable text.
func goQuoted(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

/// A string slice as Go's `%#v` prints it: `[]string{"a", "b"}`.
func goStringSlice(_ values: [String]) -> String {
    "[]string{" + values.map(goQuoted).joined(separator: ", ") + "}"
}

/// Upstream's `utilerrors.NewAggregate(...).Error()`: one message alone, several in brackets, duplicates dropped.
func aggregate(_ messages: [String]) -> String? {
    var seen = Set<String>()
    let unique = messages.filter { seen.insert($0).inserted }
    switch unique.count {
    case 0: return nil
    case 1: return unique[0]
    default: return "[" + unique.joined(separator: ", ") + "]"
    }
}
