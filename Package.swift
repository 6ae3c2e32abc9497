// swift-tools-version: 6.1
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")

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
        // ↔ client-go fake + apiserver testserver: support for tests and benchmarks only.
        .target(name: "SkiffTestKit", dependencies: ["SkiffStorage", "SkiffAPI", "SkiffAPIMachinery"]),

        // The one executable: every component is a subcommand.
        .executableTarget(
            name: "skiff",
            dependencies: [
                "SkiffAPIMachinery", "SkiffAPI", "SkiffStorage", "SkiffStorageSQLite", argumentParser, logging, grdb,
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
        .testTarget(name: "SkiffStorageTests", dependencies: ["SkiffStorage", "SkiffTestKit"]),
    ]
)

// Shared settings, applied to every target in one loop so none drifts (swift-log's pattern).
let upcoming = [
    "ExistentialAny", "MemberImportVisibility", "InternalImportsByDefault", "NonisolatedNonsendingByDefault",
]
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + upcoming.map { .enableUpcomingFeature($0) }
}
