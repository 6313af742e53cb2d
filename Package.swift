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
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Client", targets: ["Client"]),
        .executable(name: "olafd", targets: ["olafd"]),
        .executable(name: "olafctl", targets: ["olafctl"]),
        .executable(name: "olaf-client", targets: ["olaf-client"]),
        .executable(name: "olaf-vectors", targets: ["olaf-vectors"]),
        .executable(name: "olaf-bench", targets: ["olaf-bench"]),
        .executable(name: "olaf-fuzz", targets: ["olaf-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Already in the graph through Hummingbird; named directly so the UI server can spell header names
        // (X-Frame-Options, Referrer-Policy, Sec-Fetch-Site) that Hummingbird does not re-export.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Already in the graph through Hummingbird; the transport names its HTTP1 ↔ HTTPTypes codec directly.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
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
            name: "Systemd", dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .target(
            name: "OlafVectors", dependencies: ["Core", "OlafCrypto"], path: "Sources/Vectors",
            swiftSettings: strictSettings),
        // What olafd and olaf-client share about their files: the SQLite opener (WAL, 0600, migrations, newer
        // schemas refused) and the secret-file writer (exclusive, no symbolic links, synced).
        .target(
            name: "LocalFiles", dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        // Starting child processes with a clean signal mask and dispositions (posix_spawn); every program and
        // test that runs another program goes through it.
        .target(name: "Spawn", swiftSettings: strictSettings),
        // What olafd's listener and olaf-client's UI share about plain HTTP connections: the first-request guard
        // (400 for an unparseable first request, a deadline for the first head, closing request-less connections
        // on graceful shutdown).
        .target(
            name: "HTTPListener",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // One peer connection on its event loop: the WebSocket listener (upgrade or Hummingbird router), the
        // connection handler (messages, close handshake, deadlines) and the outbox state machine.
        .target(
            name: "Transport",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings),
        .target(
            name: "OlafBenchmarks",
            dependencies: [
                "Core", "OlafCrypto", "Server", "ControlClient", "Spawn",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Sources/Benchmarks", swiftSettings: strictSettings),

        .target(
            name: "Server",
            dependencies: [
                "Core", "OlafCrypto", "Systemd", "HTTPListener", "Transport", "LocalFiles",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings),

        // The user's client daemon: engine (home-server connection, verification, counters), keystore, local
        // store, and the loopback browser UI (pages shipped as resources).
        .target(
            name: "Client",
            dependencies: [
                "Core", "OlafCrypto", "HTTPListener", "LocalFiles", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources/ui")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "olaf-client",
            dependencies: [
                "Client", "Core", "OlafCrypto", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),

        .executableTarget(
            name: "olafd",
            dependencies: [
                "Server", "Core", "OlafCrypto", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .target(name: "ControlClient", dependencies: ["Core"], swiftSettings: strictSettings),
        .executableTarget(
            name: "olafctl",
            dependencies: [
                "ControlClient", "Core", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
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
            name: "OlafCryptoTests", dependencies: ["OlafCrypto", "OlafTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "LocalFilesTests",
            dependencies: ["LocalFiles", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Core", "OlafCrypto", "ControlClient", "OlafTestSupport", "Spawn", "Transport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // Test harness shared by ServerTests and ClientTests: real olafd servers on loopback, ports, waiting.
        .target(
            name: "OlafTestSupport",
            dependencies: [
                "Server", "Core", "OlafCrypto", "Spawn", "Transport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support", swiftSettings: strictSettings),
        .testTarget(name: "SpawnTests", dependencies: ["Spawn", "OlafBenchmarks"], swiftSettings: strictSettings),
        .testTarget(
            name: "SystemdTests", dependencies: ["Systemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ClientTests",
            dependencies: [
                "Client", "Server", "Core", "OlafCrypto", "OlafTestSupport", "Spawn",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        // Fuzzing (Fuzz/README.md): harnesses as plain functions in a library, one libFuzzer driver executable
        // (its fuzzing mode only with -DOLAF_FUZZ -sanitize=fuzzer; scripts/fuzz), and the corpus replayed as tests.
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(
            name: "OlafFuzzHarnesses",
            dependencies: ["Core", "OlafCrypto", "Server", .product(name: "NIOCore", package: "swift-nio")],
            path: "Fuzz/Harnesses", swiftSettings: strictSettings),
        .executableTarget(
            name: "olaf-fuzz", dependencies: ["OlafFuzzHarnesses", "CLibFuzzer"], path: "Fuzz/olaf-fuzz",
            swiftSettings: strictSettings),
        .testTarget(
            name: "FuzzRegressionTests", dependencies: ["OlafFuzzHarnesses"], swiftSettings: strictSettings),
        .testTarget(
            name: "CoreTests", dependencies: ["Core", "OlafCrypto", "OlafVectors", "OlafTestSupport"],
            exclude: ["Fixtures"], swiftSettings: strictSettings),
    ]
)
