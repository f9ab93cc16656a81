// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ctsync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ctsync", targets: ["ctsync"]),
        .executable(name: "clevertap-sandbox", targets: ["clevertap-sandbox"]),
        .library(name: "CTSyncSession", targets: ["CTSyncSession"]),
        // The leaf stages, for the fuzzers' package (Fuzz/Package.swift).
        .library(name: "CTSyncYAML", targets: ["CTSyncYAML"]),
        .library(name: "CTSyncSpec", targets: ["CTSyncSpec"]),
        .library(name: "CTSyncSource", targets: ["CTSyncSource"]),
        .library(name: "ClevertapSandbox", targets: ["ClevertapSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "CTSyncYAML",
            dependencies: ["CLibYAML"]
        ),
        // The pipeline, one module a stage; every dependency points back up this list.
        // Two strings scripts/package rewrites: a C file, so stamping a version rebuilds only itself.
        .target(name: "CTSyncBuildInfo"),
        .target(name: "CTSyncSupport", dependencies: ["CTSyncBuildInfo"]),
        .target(name: "CleverTapContract"),
        .target(
            name: "CTSyncSpec",
            dependencies: ["CTSyncYAML", "CleverTapContract", "CTSyncSupport"]
        ),
        .target(
            name: "CTSyncSource",
            dependencies: ["CTSyncSpec", "CTSyncSupport"]
        ),
        .target(
            name: "CTSyncMapping",
            dependencies: ["CTSyncSource", "CTSyncSpec", "CleverTapContract", "CTSyncSupport"]
        ),
        .target(
            name: "CTSyncPlan",
            dependencies: ["CTSyncMapping", "CTSyncSource", "CTSyncSpec", "CleverTapContract", "CTSyncSupport"]
        ),
        .target(
            name: "CTSyncState",
            dependencies: [
                "CTSyncPlan", "CTSyncSpec", "CleverTapContract", "CTSyncSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "CTSyncReport",
            dependencies: ["CTSyncPlan", "CTSyncMapping", "CTSyncSpec", "CleverTapContract", "CTSyncSupport"]
        ),
        .target(
            name: "CTSyncUpload",
            dependencies: [
                "CTSyncReport", "CTSyncState", "CTSyncPlan", "CTSyncMapping", "CTSyncSource", "CTSyncSpec",
                "CleverTapContract", "CTSyncSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CTSyncSession",
            dependencies: [
                "CTSyncUpload", "CTSyncReport", "CTSyncState", "CTSyncPlan", "CTSyncMapping", "CTSyncSource",
                "CTSyncSpec", "CleverTapContract", "CTSyncSupport", "CTSyncYAML",
            ]
        ),
        .target(
            name: "ClevertapSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "ctsync",
            dependencies: [
                "CTSyncSession", "CTSyncUpload", "CTSyncReport", "CTSyncState", "CTSyncPlan", "CTSyncSpec",
                "CleverTapContract", "CTSyncSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "clevertap-sandbox",
            dependencies: [
                "ClevertapSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CTSyncYAMLTests",
            dependencies: ["CTSyncYAML"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CTSyncCoreTests",
            dependencies: [
                "CTSyncSession", "CTSyncUpload", "CTSyncReport", "CTSyncState", "CTSyncPlan", "CTSyncMapping",
                "CTSyncSource", "CTSyncSpec", "CleverTapContract", "CTSyncSupport", "CTSyncYAML", "ClevertapSandbox",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ClevertapSandboxTests",
            dependencies: [
                "ClevertapSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
