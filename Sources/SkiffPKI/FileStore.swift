import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the PKI needs: private directories, reads that tell "missing" from "unreadable", and
/// atomic writes with an exact mode.
enum FileStore {
    /// Creates `path` and its missing parents; `path` itself ends with exactly `mode` when `enforceMode` is set.
    static func makeDirectory(_ path: String, mode: mode_t, enforceMode: Bool) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(mode)]
            )
        } catch {
            throw PKIError(
                code: .fileSystem,
                message: "Cannot create the directory '\(path)'; check that its parent exists and is writable.",
                path: path,
                cause: error
            )
        }
        if enforceMode, chmod(path, mode) != 0 {
            throw PKIError(
                code: .fileSystem,
                message: "Cannot set the mode of '\(path)' to \(String(mode, radix: 8)): \(Self.lastError()); "
                    + "make the directory owned by the user running skiff.",
                path: path
            )
        }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// The UTF-8 text of `path`.
    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PKIError(
                code: .fileSystem,
                message: "Cannot read '\(path)'; check its owner and mode.",
                path: path,
                cause: error
            )
        }
    }

    /// Replaces `path` with `text` atomically: writes a temporary file with `mode` next to it, flushes it and renames
    /// it over `path`, so a reader sees the old file or the new one, never a part.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = "\(path).tmp-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw Self.writeError(path, "cannot create '\(temporary)': \(Self.lastError())")
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        // The umask may have cleared bits; set exactly the mode asked for.
        guard fchmod(descriptor, mode) == 0 else {
            unlink(temporary)
            throw Self.writeError(path, "cannot set the mode of '\(temporary)': \(Self.lastError())")
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let message = Self.lastError()
                unlink(temporary)
                throw Self.writeError(path, "cannot write '\(temporary)': \(message)")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let message = Self.lastError()
            unlink(temporary)
            throw Self.writeError(path, "cannot flush '\(temporary)': \(message)")
        }
        closed = true
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let message = Self.lastError()
            unlink(temporary)
            throw Self.writeError(path, "cannot rename '\(temporary)' to it: \(message)")
        }
    }

    private static func writeError(_ path: String, _ detail: String) -> PKIError {
        PKIError(
            code: .fileSystem,
            message: "Cannot write '\(path)': \(detail); check that the directory exists, is writable and has space.",
            path: path
        )
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
