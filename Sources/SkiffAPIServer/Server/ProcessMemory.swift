#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide memory settings for an executable that runs the API server (`skiff server`, `skiff apiserver`).
///
/// The library never calls these itself: the executable decides, as it owns the process.
///
/// - ``limitMallocArenas(_:)`` caps glibc's malloc arenas. By default glibc makes up to eight per core, one per
///   thread that meets contention, and each keeps its own free memory; the server's threads (event loops, the
///   concurrency pool, SQLite's queues) would otherwise spread their garbage over a dozen arenas.
/// - ``releaseStartupPages()`` runs once the server is ready: it returns free heap memory to the system
///   (`malloc_trim`) and drops from the resident set the pages of executable code that only start-up ran. The
///   kernel maps file-backed code 64 KiB around every page touched ("fault-around"), so a start that touches a few
///   hundred scattered functions of the 24 MiB executable leaves nearly all of it resident. Code pages are clean
///   file pages: dropping them discards nothing (they stay in the page cache), and the code that runs again maps
///   its pages back on demand.
///
/// - ``releaseFreeMemoryPeriodically(every:)`` runs `malloc_trim` on a period. glibc returns to the system only
///   the free memory at the top of a heap; what a burst frees inside it (an informer's first list of 10,000 pods
///   decodes every object with its managedFields, then drops them) stays resident. Measured on `skiff server`
///   restarted with 10,000 pods: 99 MB in use, 649 MB held by malloc, 681 MiB RSS; 240 MiB after one trim.
///
/// They do nothing where glibc is not the C library.
public enum ProcessMemory {
    /// Returns the free memory inside malloc's heaps to the system (`malloc_trim(0)`): the pages of free chunks
    /// are released, their addresses stay reserved and fault back in when reused.
    public static func releaseFreeMemory() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
                _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
            }
        #endif
    }

    /// Calls ``releaseFreeMemory()`` every `interval` until the task is cancelled (then throws
    /// `CancellationError`).
    public static func releaseFreeMemoryPeriodically(every interval: Duration) async throws {
        while true {
            try await Task.sleep(for: interval)
            Self.releaseFreeMemory()
        }
    }

    /// Caps glibc's malloc arenas at `count` (call early, before threads allocate).
    public static func limitMallocArenas(_ count: Int) {
        #if canImport(Glibc)
            // `<malloc.h>` is not part of the Glibc module: look its functions up by name.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let arenaMax: Int32 = -8  // M_ARENA_MAX
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, Int32(clamping: count))
        #endif
    }

    /// Returns free heap memory to the system and unmaps the clean, file-backed executable pages of the process
    /// (see ``ProcessMemory``); returns how many executable mappings it released.
    @discardableResult
    public static func releaseStartupPages() -> Int {
        #if canImport(Glibc)
            Self.releaseFreeMemory()
            guard let smaps = Self.contents(of: "/proc/self/smaps") else { return 0 }
            var released = 0
            for mapping in Self.cleanExecutableMappings(smaps) {
                guard let start = UnsafeMutableRawPointer(bitPattern: mapping.lowerBound) else { continue }
                let length = Int(mapping.upperBound - mapping.lowerBound)
                if madvise(start, length, MADV_DONTNEED) == 0 { released += 1 }
            }
            return released
        #else
            return 0
        #endif
    }

    /// The address ranges of mappings that are executable, private, backed by a file and hold no anonymous
    /// (copy-on-write) page: dropping their pages loses nothing. Writable or relocated (RELRO) mappings are never
    /// included, since their pages may differ from the file.
    static func cleanExecutableMappings(_ smaps: String) -> [Range<UInt>] {
        var result: [Range<UInt>] = []
        var current: Range<UInt>? = nil
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-"), fields.count >= 2, !first.hasSuffix(":") {
                current = nil
                // "start-end perms offset dev inode path"
                let bounds = first.split(separator: "-")
                guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                    start < end
                else { continue }
                let permissions = fields[1]
                let path = fields.count >= 6 ? fields[5] : ""
                if permissions == "r-xp", path.hasPrefix("/") {
                    current = start..<end
                }
            } else if first == "Anonymous:", let range = current {
                if fields.count >= 2, fields[1] == "0" { result.append(range) }
                current = nil
            }
        }
        return result
    }

    private static func contents(of path: String) -> String? {
        #if canImport(Glibc)
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                bytes.append(contentsOf: chunk[0..<count])
            }
            return String(decoding: bytes, as: UTF8.self)
        #else
            return nil
        #endif
    }
}
