import Foundation
import SkiffCodeGen
import Testing

/// The package root (three levels above this file) and the reference data beside it.
enum PackageLocations {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let reference = root.deletingLastPathComponent().appending(path: "shared/reference")
}

struct GeneratedTreeTests {
    @Test func regeneratingGivesTheCommittedTree() throws {
        let files = try CodeGen.generateAll(referenceDirectory: PackageLocations.reference)
        let differences = GeneratedTree.differences(files, at: PackageLocations.root)
        #expect(differences.isEmpty, "run `swift run skiff-api-gen`: \(differences.prefix(20))")
    }

    @Test func generationIsDeterministic() throws {
        let first = try CodeGen.generateAll(referenceDirectory: PackageLocations.reference)
        let second = try CodeGen.generateAll(referenceDirectory: PackageLocations.reference)
        #expect(first == second)
    }
}
