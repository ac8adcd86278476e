// swift-tools-version: 6.1
import PackageDescription

// The core's hot paths under ordo-one's package-benchmark, with malloc counts. A package of
// its own, depending on the root package by path, so that `make test` neither resolves nor
// builds the benchmark tooling. Run it with `make bench` or, from this folder,
// `swift package benchmark`.
let package = Package(
    name: "CoreBenchmarks",
    dependencies: [
        .package(name: "TLSCore", path: "../.."),
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "TLSCore", package: "TLSCore"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "package-benchmark"),
            ]
        ),
    ]
)
