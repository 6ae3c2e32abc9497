import Foundation
import SkiffStorage
import SkiffStorageSQLite
import SkiffTestKit
import Testing

/// Kills a writing `skiff debug storage-writer` with SIGKILL at random points and checks that every write it
/// acknowledged survived, over several rounds on the same database.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct CrashSafetyTests {
    struct Acknowledged {
        var creates: [String: Revision] = [:]
        /// For each counter key, the last acknowledged value and revision.
        var counters: [String: (value: Int, revision: Revision)] = [:]
    }

    @Test
    func everyAcknowledgedWriteSurvivesSIGKILL() async throws {
        let executable = try SkiffExecutable.url()
        let directory = FileManager.default.temporaryDirectory.appending(path: "skiff-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var acknowledged = Acknowledged()
        var generator = SystemRandomNumberGenerator()
        let valueSize = 300
        for round in 0..<5 {
            // Kill after a random number of acknowledged writes: a random point in the write stream, no timers.
            let killAfter = Int.random(in: 20...400, using: &generator)
            let lines = try Self.runAndKill(
                executable,
                arguments: [
                    "debug", "storage-writer", "--dir", directory.path, "--clients", "32",
                    "--prefix", "/crash/\(round)", "--value-size", "\(valueSize)",
                ],
                afterLines: killAfter
            )
            #expect(lines.count >= killAfter, "round \(round): the writer printed \(lines.count) lines")
            for line in lines {
                let fields = line.split(separator: " ")
                switch fields.first {
                case "create":
                    acknowledged.creates[String(fields[1])] = Revision(String(fields[2]))
                case "update":
                    let value = Int(fields[3]) ?? -1
                    let revision = Revision(String(fields[2])) ?? .zero
                    if revision > acknowledged.counters[String(fields[1])]?.revision ?? .zero {
                        acknowledged.counters[String(fields[1])] = (value, revision)
                    }
                default:
                    Issue.record("unexpected line \(line)")
                }
            }
            try await Self.verify(acknowledged, in: directory.path, valueSize: valueSize)
        }
    }

    /// Starts `skiff`, reads its output and SIGKILLs it once `afterLines` complete lines arrived; returns the
    /// complete lines printed before it died.
    static func runAndKill(_ executable: URL, arguments: [String], afterLines: Int) throws -> [String] {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var buffer = Data()
        var lineCount = 0
        var killed = false
        let reader = pipe.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // end of file: the process is gone
            buffer.append(chunk)
            lineCount += chunk.count { $0 == 0x0A }
            if !killed && lineCount >= afterLines {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(killed, "the writer exited by itself with status \(process.terminationStatus)")
        var lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line cut by the kill
        return lines.map(String.init)
    }

    /// Opens the database and checks every acknowledged write, the revision counter, and that it still works.
    static func verify(_ acknowledged: Acknowledged, in directory: String, valueSize: Int) async throws {
        let store = try SQLiteStorage(directory: directory)
        defer { try? store.close() }
        let current = try await store.currentRevision()
        var highest = Revision.zero
        var seen: Set<Revision> = []
        for (key, revision) in acknowledged.creates {
            let stored = try await store.get(key)
            #expect(stored?.modRevision == revision, "\(key)")
            #expect(stored?.value == Self.expectedValue(for: key, size: valueSize), "\(key)")
            #expect(seen.insert(revision).inserted, "revision \(revision) acknowledged twice")
            highest = max(highest, revision)
        }
        for (key, last) in acknowledged.counters {
            let stored = try #require(try await store.get(key), "\(key)")
            #expect(stored.modRevision >= last.revision, "\(key)")
            #expect(Int(String(decoding: stored.value, as: UTF8.self)) ?? -1 >= last.value, "\(key)")
            #expect(seen.insert(last.revision).inserted, "revision \(last.revision) acknowledged twice")
            highest = max(highest, last.revision)
        }
        #expect(current >= highest)
        let created = try await store.create("/crash/check-\(current)", value: [1, 2, 3])
        #expect(created.modRevision == Revision(current.rawValue + 1))
    }

    /// What `skiff debug storage-writer` writes under `key`.
    static func expectedValue(for key: String, size: Int) -> [UInt8] {
        let pattern = Array(key.utf8) + [0x0A]
        return (0..<size).map { pattern[$0 % pattern.count] }
    }
}
