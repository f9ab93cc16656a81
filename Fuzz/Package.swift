// swift-tools-version:6.1
// The libFuzzer targets, built by `scripts/fuzz` over the main package's leaf modules
// (YAML loading, specs and lint, sources) — never its executables or NIO.
//
// `scripts/fuzz` builds with `-sanitize=fuzzer,address` and `-enable-testing`: the
// targets reach the modules' package-level API through `@testable import`, and
// libFuzzer's driver runs each (see FuzzDriver).
import PackageDescription

let fuzzer: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let library: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "ctsync-fuzz",
    dependencies: [.package(name: "ctsync", path: "..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "CTSyncSource", package: "ctsync"), .product(name: "CTSyncSpec", package: "ctsync"),
            ],
            path: "Targets/FuzzSupport"
        ),
        .executableTarget(
            name: "fuzz-yaml",
            dependencies: ["FuzzSupport", .product(name: "CTSyncSpec", package: "ctsync")],
            path: "Targets/yaml", swiftSettings: library, linkerSettings: fuzzer
        ),
        .executableTarget(
            name: "fuzz-csv",
            dependencies: ["FuzzSupport", .product(name: "CTSyncSource", package: "ctsync")],
            path: "Targets/csv", swiftSettings: library, linkerSettings: fuzzer
        ),
        .executableTarget(
            name: "fuzz-jsonl",
            dependencies: ["FuzzSupport", .product(name: "CTSyncSource", package: "ctsync")],
            path: "Targets/jsonl", swiftSettings: library, linkerSettings: fuzzer
        ),
    ],
    swiftLanguageModes: [.v6]
)
