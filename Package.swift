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
    ],
    targets: [
        // The KMIP protocol: TTLV, XML and JSON encodings, the typed model. No I/O.
        .target(name: "KMIP"),
        // OpenSSL 3 libcrypto (Debian: libssl-dev), the only library here with the whole KMIP matrix.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The KMIP algorithm matrix over OpenSSL's EVP interfaces. No primitive is written here.
        .target(name: "KMIPCrypto", dependencies: ["KMIP", "COpenSSL"]),
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
        // Runs the built `strongroom` executable (built by `swift build --build-tests`).
        .testTarget(name: "strongroomTests"),
    ],
    swiftLanguageModes: [.v6]
)
