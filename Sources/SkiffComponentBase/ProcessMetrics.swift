#if canImport(Glibc)
import Glibc
#endif
public import Prometheus
import Synchronization

/// The `process_*` metrics every Kubernetes component exports (↔ Prometheus' process collector): resident and
/// virtual memory, CPU seconds, open file descriptors and start time, read from `/proc/self` at each scrape.
public final class ProcessMetrics: Sendable {
    private let resident: Gauge
    private let virtual: Gauge
    private let cpu: Counter
    private let cpuReported = Mutex(0.0)
    private let openFDs: Gauge
    private let startTime: Gauge

    public init(registry: PrometheusCollectorRegistry) {
        self.resident = registry.makeGauge(
            name: "process_resident_memory_bytes",
            help: "Resident memory size in bytes."
        )
        self.virtual = registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        self.cpu = registry.makeCounter(
            name: "process_cpu_seconds_total",
            help: "Total user and system CPU time spent in seconds."
        )
        self.openFDs = registry.makeGauge(name: "process_open_fds", help: "Number of open file descriptors.")
        self.startTime = registry.makeGauge(
            name: "process_start_time_seconds",
            help: "Start time of the process since unix epoch in seconds."
        )
        self.startTime.set(Self.processStartTime() ?? 0)
    }

    /// Reads the current values into the gauges; call before rendering the registry.
    public func update() {
        if let statm = Self.read("/proc/self/statm")?.split(separator: " "), statm.count >= 2,
            let pages = Double(statm[1]), let virtualPages = Double(statm[0])
        {
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            self.resident.set(pages * pageSize)
            self.virtual.set(virtualPages * pageSize)
        }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let delta = self.cpuReported.withLock { reported in
                defer { reported = max(reported, user + system) }
                return user + system - reported
            }
            if delta > 0 { self.cpu.increment(by: delta) }
        }
        if let directory = opendir("/proc/self/fd") {
            var count = 0
            while let entry = readdir(directory) {
                let first = entry.pointee.d_name.0
                if first != UInt8(ascii: ".") { count += 1 }
            }
            closedir(directory)
            // The directory stream itself holds one descriptor while counting.
            self.openFDs.set(Double(max(0, count - 1)))
        }
    }

    /// The process's start time in seconds since the epoch: boot time plus the start tick of /proc/self/stat.
    static func processStartTime() -> Double? {
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        guard let bootLine = read("/proc/stat")?.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(bootLine.dropFirst("btime ".count))
        else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
