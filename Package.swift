// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Strongroom",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KMIP", targets: ["KMIP"]),
        .library(name: "KMIPCrypto", targets: ["KMIPCrypto"]),
        .executable(name: "strongroom", targets: ["strongroom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The KMIP protocol: TTLV, XML and JSON encodings, the typed model. No I/O.
        .target(name: "KMIP"),
        // OpenSSL 3 libcrypto (Debian: libssl-dev), the only library here with the whole KMIP matrix.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The KMIP algorithm matrix over OpenSSL's EVP interfaces. No primitive is written here.
        .target(name: "KMIPCrypto", dependencies: ["KMIP", "COpenSSL"]),
        // Store protocols and records; SQLite (GRDB) now, PostgreSQL later. Key material encrypted at rest.
        .target(name: "KMIPStore", dependencies: [
            "KMIP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The mount's internal CA, server certificate, client credentials and CSR signing.
        .target(name: "KMIPPKI", dependencies: [
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // Turns ../shared/kmip-spec registries into Sources/KMIP/Spec/Generated.
        .target(name: "KMIPSpecGenCore"),
        .executableTarget(name: "KMIPSpecGen", dependencies: ["KMIPSpecGenCore"]),
        .executableTarget(
            name: "strongroom",
            dependencies: [
                "KMIP",
                "KMIPCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KMIPTests", dependencies: ["KMIP", "KMIPSpecGenCore"]),
        .testTarget(name: "KMIPCryptoTests", dependencies: ["KMIPCrypto", "KMIP"]),
        .testTarget(name: "KMIPStoreTests", dependencies: [
            "KMIPStore", "KMIP",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "KMIPPKITests", dependencies: [
            "KMIPPKI",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // Runs the built `strongroom` executable (built by `swift build --build-tests`).
        .testTarget(name: "strongroomTests"),
    ],
    swiftLanguageModes: [.v6]
)
