// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "SwiftFluid",
    products: [
        .library(name: "Fluid", targets: ["Fluid"]),
        .library(name: "FluidData", targets: ["FluidData"]),
        .executable(name: "fluid", targets: ["fluid"]),
        .executable(name: "recognize-digits", targets: ["recognize-digits"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .target(name: "CFluidSupport"),
        .target(
            name: "Fluid",
            dependencies: ["CBLAS", "CFluidSupport"]
        ),
        .target(name: "CPNGShim", dependencies: ["CPNG"]),
        .target(name: "FluidData", dependencies: ["Fluid", "CZlib", "CPNGShim"]),
        .executableTarget(
            name: "fluid",
            dependencies: ["Fluid", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Programs/fluid"
        ),
        .target(name: "RecognizeDigits", dependencies: ["Fluid", "FluidData"]),
        .executableTarget(
            name: "recognize-digits",
            dependencies: ["Fluid", "FluidData", "RecognizeDigits", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Programs/recognize-digits"
        ),
        .testTarget(name: "FluidTests", dependencies: ["Fluid"]),
        .testTarget(name: "FluidDataTests", dependencies: ["FluidData", "Fluid", "CZlib"]),
        .testTarget(name: "RecognizeDigitsTests", dependencies: ["RecognizeDigits", "FluidData", "Fluid"], resources: [.copy("Fixtures")]),
    ]
)
