import Foundation
import Testing
import X509

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.path = url.path
    }

    func file(_ name: String) -> String {
        URL(fileURLWithPath: self.path).appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}

/// The result of running a real command-line tool.
struct ToolOutput {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the tool at `path`; fails the test (never skips it) when the tool is not installed.
func runTool(_ path: String, _ arguments: [String]) throws -> ToolOutput {
    try #require(
        FileManager.default.isExecutableFile(atPath: path),
        "\(path) is not installed; these tests check our output against the real tool, install it (.ci/run does)"
    )
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read before waiting, so a full pipe cannot block the tool.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolOutput(
        status: process.terminationStatus,
        standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self)
    )
}

/// The permission bits of the file at `path`.
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int) & 0o777
}

let day: TimeInterval = 24 * 3600

/// The DNS names and IP address bytes among `certificate`'s subject alternative names.
///
/// IP bytes are read from `GeneralName`'s description (`IPAddress([127, 0, 0, 1])`), because this test target does
/// not depend on SwiftASN1, whose `ASN1OctetString.bytes` would give them directly.
func subjectAlternativeNames(of certificate: Certificate) throws -> (dnsNames: [String], ipAddresses: [[UInt8]]) {
    let names = try #require(try certificate.extensions.subjectAlternativeNames)
    var dnsNames: [String] = []
    var ipAddresses: [[UInt8]] = []
    for name in names {
        switch name {
        case .dnsName(let dnsName):
            dnsNames.append(dnsName)
        case .ipAddress:
            let text = String(describing: name)
            let inner = try #require(text.split(separator: "[").last?.split(separator: "]").first, "\(text)")
            ipAddresses.append(try inner.split(separator: ", ").map { try #require(UInt8($0)) })
        default:
            Issue.record("unexpected subject alternative name \(name)")
        }
    }
    return (dnsNames, ipAddresses)
}
