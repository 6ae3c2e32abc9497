import Foundation
import SkiffCodeGen

// Usage: swift run skiff-api-gen [REFERENCE_DIR] [PACKAGE_ROOT]
// Defaults: ../shared/reference and the current directory. Writes Sources/*/Generated/ and removes stale files there.
let arguments = CommandLine.arguments.dropFirst()
let reference = URL(fileURLWithPath: arguments.first ?? "../shared/reference")
let root = URL(fileURLWithPath: arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath)
do {
    let files = try CodeGen.generateAll(referenceDirectory: reference)
    try GeneratedTree.write(files, to: root)
    print("skiff-api-gen: wrote \(files.count) files")
} catch {
    FileHandle.standardError.write(Data("skiff-api-gen: \(error)\n".utf8))
    exit(1)
}
