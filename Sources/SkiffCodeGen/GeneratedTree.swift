public import Foundation

/// Writes generated files and removes stale ones, so the tree equals exactly what the generator produced.
public enum GeneratedTree {
    /// The directories the generator owns entirely; anything else in them is stale and removed.
    public static let ownedDirectories = [
        "Sources/SkiffAPI/Generated",
        "Sources/SkiffAPIMachinery/Generated",
    ]

    public static func write(_ files: [GeneratedFile], to root: URL) throws {
        let fileManager = FileManager.default
        let wanted = Set(files.map(\.path))
        for directory in ownedDirectories {
            let url = root.appending(path: directory)
            guard let enumerator = fileManager.enumerator(at: url, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in enumerator where !file.hasDirectoryPath {
                let relative = directory + String(file.path.dropFirst(url.path.count))
                if !wanted.contains(relative) { try fileManager.removeItem(at: file) }
            }
        }
        for file in files {
            let url = root.appending(path: file.path)
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let existing = try? Data(contentsOf: url), existing == Data(file.contents.utf8) { continue }
            try Data(file.contents.utf8).write(to: url, options: .atomic)
        }
    }

    /// Files on disk under the owned directories that differ from, lack, or are not in `files`.
    public static func differences(_ files: [GeneratedFile], at root: URL) -> [String] {
        var problems: [String] = []
        let wanted = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.contents) })
        for (path, contents) in wanted.sorted(by: { $0.key < $1.key }) {
            let onDisk = try? String(contentsOf: root.appending(path: path), encoding: .utf8)
            if onDisk != contents { problems.append(onDisk == nil ? "missing: \(path)" : "differs: \(path)") }
        }
        for directory in ownedDirectories {
            let url = root.appending(path: directory)
            guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let file as URL in enumerator where !file.hasDirectoryPath {
                let relative = directory + String(file.path.dropFirst(url.path.count))
                if wanted[relative] == nil { problems.append("stale: \(relative)") }
            }
        }
        return problems.sorted()
    }
}
