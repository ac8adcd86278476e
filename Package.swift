// swift-tools-version: 6.1
import PackageDescription

// The core's sources are also compiled as Embedded Swift with -no-allocations by
// scripts/embedded-build.sh (see `make embedded`); SwiftPM builds them in normal mode
// for the host tools and the tests.
let coreSettings: [SwiftSetting] = [
    .enableExperimentalFeature("Lifetimes"),
]

let package = Package(
    name: "TLSCore",
    products: [
        .library(name: "TLSCore", targets: ["TLSCore"]),
        .library(name: "TLSPlatform", targets: ["TLSPlatform"]),
        .executable(name: "hostsim", targets: ["hostsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CMbedTLS", path: "Sources/CMbedTLS"),
        .systemLibrary(name: "CPOSIX", path: "Sources/CPOSIX"),
        .target(name: "TLSCore", dependencies: ["CMbedTLS"], swiftSettings: coreSettings),
        .target(name: "TLSPlatform", dependencies: ["TLSCore", "CPOSIX"], swiftSettings: coreSettings),
        .executableTarget(
            name: "hostsim",
            dependencies: [
                "TLSCore", "TLSPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hostsim",
            swiftSettings: [.enableExperimentalFeature("Lifetimes")]
        ),
        .testTarget(
            name: "TLSCoreTests",
            dependencies: ["TLSCore", "TLSPlatform", "CMbedTLS"]
        ),
    ]
)
