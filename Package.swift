// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Strongroom",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KMIP", targets: ["KMIP"]),
        .executable(name: "strongroom", targets: ["strongroom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The KMIP protocol: TTLV, XML and JSON encodings, the typed model. No I/O.
        .target(name: "KMIP"),
        // Turns ../shared/kmip-spec registries into Sources/KMIP/Spec/Generated.
        .target(name: "KMIPSpecGenCore"),
        .executableTarget(name: "KMIPSpecGen", dependencies: ["KMIPSpecGenCore"]),
        .executableTarget(
            name: "strongroom",
            dependencies: [
                "KMIP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "KMIPTests", dependencies: ["KMIP", "KMIPSpecGenCore"]),
        // Runs the built `strongroom` executable (built by `swift build --build-tests`).
        .testTarget(name: "strongroomTests"),
    ],
    swiftLanguageModes: [.v6]
)
