public import Foundation

/// One file the generator writes, relative to the package root.
public struct GeneratedFile: Sendable, Hashable {
    public var path: String
    public var contents: String
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Entry point of `skiff-api-gen`: everything generated from `../shared/reference`.
public enum CodeGen {
    /// Generates every file, in memory. Deterministic: the same inputs give byte-identical output.
    public static func generateAll(referenceDirectory: URL) throws -> [GeneratedFile] {
        let protoMessages = try ProtoIDL.parseTree(root: referenceDirectory.appending(path: "proto"))
        _ = protoMessages
        return []
    }
}
