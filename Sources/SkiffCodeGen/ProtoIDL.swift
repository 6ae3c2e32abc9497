public import Foundation

/// A message of a Kubernetes `generated.proto` file (proto2, flat: no nesting, enums or oneofs).
public struct ProtoMessage: Sendable, Hashable {
    /// Fully qualified, without a leading dot: `k8s.io.api.core.v1.Pod`.
    public var name: String
    /// The fields in the order the file declares them (which is the Go struct's field order).
    public var fields: [ProtoField]
}

public struct ProtoField: Sendable, Hashable {
    public enum Label: Sendable, Hashable {
        case optional
        case repeated
        /// `map<key, value>`; ``ProtoField/type`` holds the value type.
        case map(key: String)
    }

    public var name: String
    public var number: Int
    public var label: Label
    /// A scalar (`string`, `int32`, `int64`, `bool`, `bytes`, `double`, `float`, `uint32`, `uint64`, `fixed64`, …)
    /// or a fully qualified message name.
    public var type: String
}

/// Reads the Kubernetes `generated.proto` files: enough of proto2 for what upstream generates.
public enum ProtoIDL {
    static let scalars: Set<String> = [
        "string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64",
        "sfixed32", "sfixed64", "double", "float",
    ]

    /// Parses every `generated.proto` under `root`, keyed by fully qualified message name.
    public static func parseTree(root: URL) throws -> [String: ProtoMessage] {
        var messages: [String: ProtoMessage] = [:]
        let files = try protoFiles(under: root)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for message in try parse(text, file: file.path) {
                messages[message.name] = message
            }
        }
        return messages
    }

    static func protoFiles(under root: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [URL] = []
        for case let url as URL in enumerator where url.pathExtension == "proto" { result.append(url) }
        return result.sorted { $0.path < $1.path }
    }

    /// Parses one file's text.
    public static func parse(_ text: String, file: String = "<proto>") throws -> [ProtoMessage] {
        var package = ""
        var messages: [ProtoMessage] = []
        var current: ProtoMessage?
        var inBlockComment = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if inBlockComment {
                guard let end = line.range(of: "*/") else { continue }
                inBlockComment = false
                line = line[end.upperBound...]
            }
            if let comment = line.range(of: "//") { line = line[..<comment.lowerBound] }
            if let start = line.range(of: "/*") {
                if line[start.upperBound...].range(of: "*/") == nil { inBlockComment = true }
                line = line[..<start.lowerBound]
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            func fail(_ message: String) -> ProtoIDLError {
                ProtoIDLError(message: "\(file):\(index + 1): \(message): \(trimmed)")
            }
            if trimmed.hasPrefix("syntax") || trimmed.hasPrefix("import") || trimmed.hasPrefix("option ") {
                continue
            }
            if trimmed.hasPrefix("package ") {
                package = String(trimmed.dropFirst("package ".count).dropLast())  // drop ";"
                continue
            }
            if trimmed.hasPrefix("message ") {
                guard current == nil else { throw fail("nested messages are not supported") }
                let name = trimmed.dropFirst("message ".count).split(separator: " ").first.map(String.init) ?? ""
                current = ProtoMessage(name: package + "." + name, fields: [])
                if trimmed.hasSuffix("}") {  // `message Empty {}`
                    messages.append(current!)
                    current = nil
                }
                continue
            }
            if trimmed == "}" {
                guard let message = current else { throw fail("unbalanced brace") }
                messages.append(message)
                current = nil
                continue
            }
            guard current != nil else { throw fail("unexpected statement outside a message") }
            current!.fields.append(try parseField(trimmed, package: package, fail: fail))
        }
        if current != nil { throw ProtoIDLError(message: "\(file): unterminated message") }
        return messages
    }

    static func parseField(
        _ statement: String,
        package: String,
        fail: (String) -> ProtoIDLError
    ) throws -> ProtoField {
        // optional T name = N;  |  repeated T name = N;  |  map<K, V> name = N;
        guard statement.hasSuffix(";"), let equals = statement.firstIndex(of: "=") else {
            throw fail("expected a field")
        }
        let numberText = statement[statement.index(after: equals)...].dropLast().trimmingCharacters(in: .whitespaces)
        guard let number = Int(numberText) else { throw fail("bad field number") }
        let head = statement[..<equals].trimmingCharacters(in: .whitespaces)
        func qualify(_ type: String) -> String {
            if scalars.contains(type) { return type }
            if type.hasPrefix(".") { return String(type.dropFirst()) }
            return type.contains(".") ? type : package + "." + type
        }
        if head.hasPrefix("map<") {
            guard let close = head.firstIndex(of: ">") else { throw fail("bad map type") }
            let inner = head[head.index(head.startIndex, offsetBy: 4)..<close].split(separator: ",")
            guard inner.count == 2 else { throw fail("bad map type") }
            let key = inner[0].trimmingCharacters(in: .whitespaces)
            let value = inner[1].trimmingCharacters(in: .whitespaces)
            let name = head[head.index(after: close)...].trimmingCharacters(in: .whitespaces)
            return ProtoField(name: name, number: number, label: .map(key: key), type: qualify(value))
        }
        let words = head.split(separator: " ").map(String.init)
        guard words.count == 3 else { throw fail("expected `label type name = number;`") }
        let label: ProtoField.Label
        switch words[0] {
        case "optional", "required": label = .optional
        case "repeated": label = .repeated
        default: throw fail("unknown label \(words[0])")
        }
        return ProtoField(name: words[2], number: number, label: label, type: qualify(words[1]))
    }
}

public struct ProtoIDLError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { self.message }
}
