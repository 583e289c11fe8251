// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Strongroom",
    // Linux only (Debian 12 in CI): the code calls Glibc directly (files, sockets, mlock), so no
    // Apple platform is declared.
    products: [
        .library(name: "KMIP", targets: ["KMIP"]),
        .library(name: "KMIPCrypto", targets: ["KMIPCrypto"]),
        .library(name: "KMIPClient", targets: ["KMIPClient"]),
        // For tests of code built on the store protocols (as NIOTestUtils ships beside NIO).
        .library(name: "KMIPTestSupport", targets: ["KMIPTestSupport"]),
        .executable(name: "strongroom", targets: ["strongroom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // The KMIP protocol: TTLV, XML and JSON encodings, the typed model. No I/O.
        .target(name: "KMIP"),
        // OpenSSL 3 libcrypto (Debian: libssl-dev), the only library here with the whole KMIP matrix.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The KMIP algorithm matrix over OpenSSL's EVP interfaces. No primitive is written here.
        .target(name: "KMIPCrypto", dependencies: [
            "KMIP", "COpenSSL",
            // The one lock type of the package (NIOLock, NIOLockedValueBox).
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // Store protocols and records; SQLite (GRDB) for one node, PostgreSQL (postgres-nio) for
        // several. Key material encrypted at rest.
        .target(name: "KMIPStore", dependencies: [
            "KMIP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // Test support, never linked into the server: the in-memory store and the openssl tool runner.
        .target(name: "KMIPTestSupport", dependencies: [
            "KMIP", "KMIPStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The mount's internal CA, server certificate, client credentials and CSR signing.
        .target(name: "KMIPPKI", dependencies: [
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // The transport-agnostic server core: authorisation, batches, lifecycle, one handler per operation.
        .target(name: "KMIPEngine", dependencies: [
            "KMIP", "KMIPCrypto", "KMIPStore", "KMIPPKI",
            .product(name: "Logging", package: "swift-log"),
            // Validate: certificate chain validation; PEM documents.
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Metrics", package: "swift-metrics"),
            // ByteBuffer only: requests are read in place from the connection's buffer.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // NIO + NIOSSL: mutual-TLS listener, frame decoder, limits, graceful shutdown.
        .target(name: "KMIPTransport", dependencies: [
            "KMIP", "KMIPEngine", "KMIPPKI",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // An async KMIP client over mutual TLS, with batching.
        .target(name: "KMIPClient", dependencies: [
            "KMIP",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Vault's request values and fields (JSON values, FieldSchema/FieldData coercion, durations).
        // No I/O, no dependencies.
        .target(name: "VaultFramework"),
        // Vault's ACL policy language (HCL and JSON) and its evaluation. No I/O.
        .target(name: "VaultPolicy", dependencies: ["VaultFramework"]),
        // The Vault-compatible HTTP API: one file per path under Paths/, token auth and ACL policies,
        // Vault-shaped errors.
        .target(name: "StrongroomAPI", dependencies: [
            "KMIP", "KMIPEngine", "KMIPStore", "KMIPPKI", "VaultFramework", "VaultPolicy",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Audit log devices (JSON lines, fail-closed option).
        .target(name: "StrongroomObservability", dependencies: [
            "KMIP", "KMIPEngine", "KMIPStore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // The operator CLI's client side: Vault's HTTP API over Foundation, argument parsing, output.
        .target(name: "StrongroomCLI", dependencies: [
            "VaultFramework", "VaultPolicy",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Composition root: configuration, dev mode, the service group.
        .target(name: "StrongroomServer", dependencies: [
            "KMIP", "KMIPEngine", "KMIPTransport", "KMIPStore", "KMIPPKI", "StrongroomAPI", "StrongroomObservability",
            "VaultFramework",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Replays the OASIS XML test cases through any transport and compares the responses.
        .target(name: "KMIPConformance", dependencies: ["KMIP"]),
        // Turns ../shared/kmip-spec registries into Sources/KMIP/Spec/Generated.
        .target(name: "KMIPSpecGenCore"),
        .executableTarget(name: "KMIPSpecGen", dependencies: ["KMIPSpecGenCore"]),
        .executableTarget(
            name: "strongroom",
            dependencies: [
                "KMIP",
                "KMIPCrypto",
                "KMIPClient",
                "KMIPEngine",
                "StrongroomServer",
                "StrongroomCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "KMIPTests", dependencies: ["KMIP", "KMIPSpecGenCore", "KMIPConformance"]),
        .testTarget(name: "KMIPCryptoTests", dependencies: ["KMIPCrypto", "KMIP", "KMIPTestSupport"]),
        .testTarget(name: "KMIPStoreTests", dependencies: [
            "KMIPTestSupport",
            "KMIPStore", "KMIP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "KMIPPKITests", dependencies: [
            "KMIPPKI", "KMIPTestSupport",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        .testTarget(name: "KMIPEngineTests", dependencies: [
            "KMIPTestSupport",
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            "KMIPEngine", "KMIPStore", "KMIPPKI", "KMIP", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "StrongroomServerTests", dependencies: [
            "StrongroomServer", "KMIPClient", "KMIPEngine", "KMIPStore", "KMIP", "StrongroomObservability", "VaultFramework",
            "KMIPTestSupport", "StrongroomAPI",
        ]),
        .testTarget(name: "KMIPTransportTests", dependencies: [
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            "KMIPTransport", "KMIPClient", "KMIPEngine", "KMIPStore", "KMIPPKI", "KMIP", "StrongroomServer",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOTestUtils", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
        ]),
        .testTarget(name: "KMIPConformanceTests", dependencies: [
            "KMIPConformance", "KMIP", "KMIPClient", "StrongroomServer", "KMIPEngine", "KMIPStore", "KMIPPKI",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "StrongroomAPITests", dependencies: [
            "KMIPTestSupport",
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            "StrongroomAPI", "KMIPEngine", "KMIPStore", "KMIPPKI", "KMIP", "VaultFramework", "VaultPolicy",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "StrongroomCLITests", dependencies: ["StrongroomCLI", "VaultFramework", "KMIPTestSupport"]),
        .testTarget(name: "VaultFrameworkTests", dependencies: ["VaultFramework"]),
        .testTarget(name: "StrongroomObservabilityTests", dependencies: [
            "KMIPTestSupport",
            .product(name: "MetricsTestKit", package: "swift-metrics"),
            "StrongroomObservability", "KMIPEngine", "KMIPStore", "KMIPTransport", "KMIP",
        ]),
        // Runs the built `strongroom` executable (built by `swift build --build-tests`).
        .testTarget(name: "strongroomTests"),
    ],
    swiftLanguageModes: [.v6]
)

// The HTTP API router's libFuzzer target (Fuzz/API): its dependencies are too many to build by
// hand with swiftc, so `scripts/fuzz` builds it with SwiftPM (`--sanitize fuzzer --sanitize address`,
// its own build directory) and declares it only then: a normal build never sees it (libFuzzer
// supplies its `main`).
if Context.environment["STRONGROOM_FUZZ_API"] == "1" {
    package.targets.append(.executableTarget(
        name: "FuzzAPI", dependencies: ["StrongroomAPI", "KMIPStore", "KMIPTestSupport", "VaultFramework",
                                        .product(name: "Logging", package: "swift-log")], path: "Fuzz",
        sources: ["API/main.swift", "Common/Check.swift"],
        swiftSettings: [.unsafeFlags(["-parse-as-library"]), .swiftLanguageMode(.v5)]))
    package.products.append(.executable(name: "FuzzAPI", targets: ["FuzzAPI"]))
}
