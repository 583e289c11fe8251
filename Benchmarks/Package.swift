// swift-tools-version: 6.1
// Strongroom's micro-benchmarks (codec, crypto) on ordo-one/benchmark: throughput, wall clock and
// allocation counts, kept out of the shipped binary. Run from this directory:
//
//     swift package --disable-sandbox benchmark
//
// The KMIP load generator stays in the server binary as `strongroom bench` (../bench/README.md).
import PackageDescription

let package = Package(
    name: "StrongroomBenchmarks",
    dependencies: [
        .package(name: "Strongroom", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KMIP", package: "Strongroom"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CryptoBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KMIPCrypto", package: "Strongroom"),
            ],
            path: "Benchmarks/CryptoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
