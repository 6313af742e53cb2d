// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target uses: Swift 6 language mode plus the strict upcoming features Hummingbird uses.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "olaf",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OlafCrypto", targets: ["OlafCrypto"]),
        .library(name: "Core", targets: ["Core"]),
        .executable(name: "olaf-vectors", targets: ["olaf-vectors"]),
        .executable(name: "olaf-bench", targets: ["olaf-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // C system libraries. Only OlafCrypto imports COpenSSL; only the systemd integration imports CSystemd.
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),

        // The folder is Sources/Crypto as design.md lays out, but the target cannot be called `Crypto`:
        // swift-crypto (pulled in by Hummingbird through swift-nio-ssl and swift-nio-extras) declares a target
        // of that name, SwiftPM refuses duplicate target names across a package graph, and module aliases do
        // not help for targets of the root package. Hence `OlafCrypto` with an explicit path.
        .target(
            name: "OlafCrypto", dependencies: ["COpenSSL"], path: "Sources/Crypto",
            swiftSettings: strictSettings),
        .target(name: "Core", dependencies: ["OlafCrypto"], swiftSettings: strictSettings),
        .target(
            name: "OlafVectors", dependencies: ["Core", "OlafCrypto"], path: "Sources/Vectors",
            swiftSettings: strictSettings),
        .target(
            name: "OlafBenchmarks", dependencies: ["Core", "OlafCrypto"], path: "Sources/Benchmarks",
            swiftSettings: strictSettings),

        .executableTarget(
            name: "olaf-vectors",
            dependencies: ["OlafVectors", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "olaf-bench",
            dependencies: ["OlafBenchmarks", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings),

        .testTarget(
            name: "OlafCryptoTests", dependencies: ["OlafCrypto"], exclude: ["Fixtures"], swiftSettings: strictSettings),
        .testTarget(
            name: "CoreTests", dependencies: ["Core", "OlafCrypto", "OlafVectors"],
            exclude: ["Fixtures"], swiftSettings: strictSettings),
    ]
)
