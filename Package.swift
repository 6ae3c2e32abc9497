// swift-tools-version: 6.1
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdHTTP2: Target.Dependency = .product(name: "HummingbirdHTTP2", package: "hummingbird")
let hummingbirdCore: Target.Dependency = .product(name: "HummingbirdCore", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let hummingbirdTLS: Target.Dependency = .product(name: "HummingbirdTLS", package: "hummingbird")
let hummingbirdTesting: Target.Dependency = .product(name: "HummingbirdTesting", package: "hummingbird")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1: Target.Dependency = .product(name: "NIOHTTP1", package: "swift-nio")
let nioSSL: Target.Dependency = .product(name: "NIOSSL", package: "swift-nio-ssl")
let x509: Target.Dependency = .product(name: "X509", package: "swift-certificates")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let asn1: Target.Dependency = .product(name: "SwiftASN1", package: "swift-asn1")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let compressNIO: Target.Dependency = .product(name: "CompressNIO", package: "compress-nio")
let asyncHTTPClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
        .library(name: "SkiffAPIMachinery", targets: ["SkiffAPIMachinery"]),
        .library(name: "SkiffAPI", targets: ["SkiffAPI"]),
        .library(name: "SkiffStorage", targets: ["SkiffStorage"]),
        .library(name: "SkiffStorageSQLite", targets: ["SkiffStorageSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // ↔ k8s.io/apimachinery: meta/v1, runtime, resource.Quantity, intstr, labels, fields, validation.
        .target(name: "SkiffAPIMachinery"),
        // ↔ k8s.io/api: generated Codable values of the built-in groups, plus the compiled-in schema.
        .target(name: "SkiffAPI", dependencies: ["SkiffAPIMachinery"]),
        // ↔ apiserver/pkg/storage + kine's server: the Store protocol, revisions, watch, the in-memory backend.
        .target(name: "SkiffStorage", dependencies: [logging]),
        // ↔ kine's sqlite driver: the embedded default backend, on GRDB.
        .target(name: "SkiffStorageSQLite", dependencies: ["SkiffStorage", grdb, logging]),
        // ↔ k3s pkg/util/certs + client-go util/cert: the cluster CA, serving and client certificates, kubeconfigs.
        .target(name: "SkiffPKI", dependencies: [x509, crypto, asn1]),
        // ↔ kube-openapi builder3: the /openapi/v3 documents, built from the compiled-in schema.
        .target(name: "SkiffOpenAPI", dependencies: ["SkiffAPI", "SkiffAPIMachinery"]),
        // ↔ pkg/printers/internalversion: server-side Table columns and rows of the built-in kinds.
        .target(name: "SkiffPrinters", dependencies: ["SkiffAPI", "SkiffAPIMachinery"]),
        // ↔ apiserver + pkg/registry: HTTP(S) endpoints, the generic registry, discovery, metrics.
        .target(
            name: "SkiffAPIServer",
            dependencies: [
                "SkiffStorage", "SkiffAPI", "SkiffAPIMachinery", "SkiffOpenAPI", "SkiffPrinters", "SkiffPKI", "SkiffQuota",
                hummingbird, hummingbirdHTTP2, hummingbirdTLS, nioCore, nioPosix, nioSSL, metrics, prometheus,
                serviceLifecycle, compressNIO, logging, yams, x509, asn1, hummingbirdCore, httpTypes, crypto,
            ]
        ),
        // ↔ client-go: typed clients over HTTPS or in-process, informers, work queues, leader election, events.
        .target(
            name: "SkiffClient",
            dependencies: [
                "SkiffAPI", "SkiffAPIMachinery", "SkiffPKI", asyncHTTPClient, nioCore, nioHTTP1, nioSSL, logging, yams,
            ]
        ),
        // ↔ pkg/scheduler + kube-scheduler/framework: the scheduler, a client of the API server only.
        .target(
            name: "SkiffScheduler",
            dependencies: ["SkiffClient", "SkiffAPI", "SkiffAPIMachinery", logging, metrics, yams]
        ),
        // ↔ pkg/controller: the controllers, clients of the API server only (today: the namespace controller).
        .target(
            name: "SkiffControllerManager",
            dependencies: ["SkiffClient", "SkiffQuota", "SkiffAPI", "SkiffAPIMachinery", logging]
        ),
        // ↔ pkg/quota/v1: what objects count against ResourceQuotas, shared by admission and the quota controller.
        .target(name: "SkiffQuota", dependencies: ["SkiffAPI", "SkiffAPIMachinery"]),
        // ↔ client-go fake + apiserver testserver: support for tests and benchmarks only.
        .target(name: "SkiffTestKit", dependencies: ["SkiffStorage", "SkiffAPI", "SkiffAPIMachinery"]),

        // ↔ k8s.io/component-base: what every component other than the API server serves (health, metrics).
        .target(
            name: "SkiffComponentBase",
            dependencies: [
                "SkiffPKI", hummingbird, hummingbirdHTTP2, hummingbirdCore, httpTypes, nioCore, nioSSL, prometheus, logging,
                serviceLifecycle,
            ]
        ),
        // The one executable: every component is a subcommand.
        .executableTarget(
            name: "skiff",
            dependencies: [
                "SkiffAPIMachinery", "SkiffAPI", "SkiffStorage", "SkiffStorageSQLite", "SkiffAPIServer", "SkiffPKI",
                "SkiffControllerManager", "SkiffClient", "SkiffScheduler", "SkiffComponentBase", argumentParser, logging, metrics, prometheus, grdb, serviceLifecycle, unixSignals, crypto, asyncHTTPClient, nioCore, nioSSL, nioHTTP1,
            ]
        ),
        // Run by hand: reads ../shared/reference and writes Sources/*/Generated. See README.
        .executableTarget(name: "skiff-api-gen", dependencies: ["SkiffCodeGen"]),
        // The generator's logic, a library so that a test can check the committed tree is reproducible.
        .target(name: "SkiffCodeGen", exclude: ["Data"]),

        .testTarget(name: "SkiffAPIMachineryTests", dependencies: ["SkiffAPIMachinery"]),
        .testTarget(
            name: "SkiffAPITests",
            dependencies: ["SkiffAPI", "SkiffAPIMachinery", "SkiffTestKit", yams],
            resources: [.copy("Corpus")]
        ),
        .testTarget(
            name: "SkiffStorageConformanceTests",
            dependencies: ["SkiffStorage", "SkiffStorageSQLite", "SkiffTestKit"]
        ),
        .testTarget(name: "SkiffStorageSQLiteTests", dependencies: ["SkiffStorage", "SkiffStorageSQLite", "SkiffTestKit", grdb]),
        .testTarget(name: "SkiffCommandTests", dependencies: ["SkiffTestKit"]),
        .testTarget(name: "SkiffCodeGenTests", dependencies: ["SkiffCodeGen"]),
        .testTarget(
            name: "SkiffControllerManagerTests",
            dependencies: [
                "SkiffControllerManager", "SkiffQuota", "SkiffAPI", "SkiffAPIMachinery", "SkiffClient", "SkiffAPIServer",
                "SkiffStorageSQLite", logging,
            ]
        ),
        .testTarget(
            name: "SkiffComponentBaseTests",
            dependencies: [
                "SkiffComponentBase", asyncHTTPClient, nioCore, nioHTTP1, nioSSL, prometheus, logging, serviceLifecycle,
            ]
        ),
        .testTarget(name: "SkiffStorageTests", dependencies: ["SkiffStorage", "SkiffTestKit"]),
        .testTarget(name: "SkiffPKITests", dependencies: ["SkiffPKI", x509, crypto]),
        .testTarget(name: "SkiffOpenAPITests", dependencies: ["SkiffOpenAPI", "SkiffAPI", "SkiffAPIMachinery"]),
        .testTarget(name: "SkiffPrintersTests", dependencies: ["SkiffPrinters", "SkiffAPI", "SkiffAPIMachinery"]),
        .testTarget(
            name: "SkiffClientTests",
            dependencies: [
                "SkiffClient", "SkiffAPIServer", "SkiffStorage", "SkiffStorageSQLite", "SkiffAPI", "SkiffAPIMachinery",
                "SkiffPKI", "SkiffTestKit", logging,
            ]
        ),
        .testTarget(
            name: "SkiffSchedulerTests",
            dependencies: [
                "SkiffScheduler", "SkiffClient", "SkiffAPIServer", "SkiffStorage", "SkiffStorageSQLite", "SkiffAPI",
                "SkiffAPIMachinery", "SkiffTestKit", logging,
            ]
        ),
        .testTarget(
            name: "SkiffAPIServerTests",
            dependencies: [
                "SkiffAPIServer", "SkiffStorage", "SkiffStorageSQLite", "SkiffAPI", "SkiffAPIMachinery", "SkiffPKI",
                "SkiffTestKit", asyncHTTPClient, nioCore, nioPosix, nioSSL, nioHTTP1, logging, crypto,
            ]
        ),
    ]
)

// Shared settings, applied to every target in one loop so none drifts (swift-log's pattern).
let upcoming = [
    "ExistentialAny", "MemberImportVisibility", "InternalImportsByDefault", "NonisolatedNonsendingByDefault",
]
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming.map { .enableUpcomingFeature($0) }
}
