/// One named check behind `/healthz`, `/livez` or `/readyz` (↔ apiserver's `healthz.HealthChecker`).
///
/// The check throws to report a failure; the error is logged and withheld from the response body, as upstream.
public struct HealthCheck: Sendable {
    /// The name shown in verbose output and served at `/<endpoint>/<name>`.
    public let name: String
    let body: @Sendable () async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// `ping`: always healthy; proves the server answers.
    public static let ping = HealthCheck("ping") {}
}

/// Why a check failed, for checks that have nothing better to throw.
public struct HealthCheckFailure: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The checks of one endpoint (`healthz`, `livez` or `readyz`) and the rendering of its answers, with upstream's
/// wording (↔ `healthz.handleRootHealth`): `ok` when everything passes, `[+]name ok` / `[-]name failed: reason
/// withheld` lines with `?verbose` or on failure, `?exclude=name` to skip checks, and `/<endpoint>/<name>` for one.
public struct HealthEndpoint: Sendable {
    /// `healthz`, `livez` or `readyz`.
    public let name: String
    public let checks: [HealthCheck]

    public init(name: String, checks: [HealthCheck]) {
        self.name = name
        self.checks = checks
    }

    /// An answer: the status code and the plain-text body.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: String

        public init(status: Int, body: String) {
            self.status = status
            self.body = body
        }
    }

    /// Runs the checks for a request to `/<name>` (`subpath` empty) or `/<name>/<check>`; `nil` if no such check.
    /// `failed` receives each failing check's error for the log.
    public func answer(
        subpath: String,
        verbose: Bool,
        excluded: [String],
        failed: (String, any Error) -> Void = { _, _ in }
    ) async -> Answer? {
        if !subpath.isEmpty {
            guard let check = self.checks.first(where: { $0.name == subpath }) else { return nil }
            do {
                try await check.body()
                return Answer(status: 200, body: "ok")
            } catch {
                failed(check.name, error)
                return Answer(status: 500, body: "internal server error: \(error)\n")
            }
        }
        var lines = ""
        var anyFailed = false
        let unmatched = excluded.filter { name in !name.isEmpty && !self.checks.contains { $0.name == name } }
        for check in self.checks {
            if excluded.contains(check.name) {
                lines += "[+]\(check.name) excluded: ok\n"
                continue
            }
            do {
                try await check.body()
                lines += "[+]\(check.name) ok\n"
            } catch {
                failed(check.name, error)
                anyFailed = true
                lines += "[-]\(check.name) failed: reason withheld\n"
            }
        }
        if !unmatched.isEmpty {
            let quoted = unmatched.map { "\"\($0)\"" }.joined(separator: ",")
            lines += "warn: some health checks cannot be excluded: no matches for \(quoted)\n"
        }
        if anyFailed {
            return Answer(status: 500, body: "\(lines)\(self.name) check failed\n")
        }
        return Answer(status: 200, body: verbose ? "\(lines)\(self.name) check passed\n" : "ok")
    }
}
