// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "compress",
    products: [
        .executable(name: "compress", targets: ["compress"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Compression", targets: ["Compression"]),
        .library(name: "ModelIO", targets: ["ModelIO"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // CPUID and XGETBV, read to choose OpenBLAS's kernels (TensorCore's BLASKernelSelection).
        .target(name: "CPUFeatures"),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CLAPACKE", "CPUFeatures"]),
        // The C99 runtime that runs a .dcz file on its own (microcontrollers); `compress export --c`
        // ships it with the model. example/ is the exported main.c, not part of the library.
        .target(name: "DCZRuntime", exclude: ["example"]),
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "NN", dependencies: ["TensorCore"]),
        .target(name: "Compression", dependencies: ["NN", "TensorCore"]),
        .target(name: "ModelIO", dependencies: ["Compression", "NN", "TensorCore", "HDF5", "CZlib"]),
        .target(name: "Pipeline", dependencies: ["ModelIO", "Compression", "NN", "TensorCore", "DCZRuntime", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "compress",
            dependencies: [
                "Pipeline", "ModelIO", "Compression", "NN", "HDF5", "TensorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "bench", dependencies: ["TensorCore", "Compression", "NN", "ModelIO", "Pipeline"], path: "Sources/Benchmarks"),
        // Fuzz targets of the compressed model decoder, the recipe parser and the Keras model_config
        // reader: replay tools in normal builds, libFuzzer targets with `-sanitize=fuzzer -D FUZZING`
        // (Scripts/fuzz-container.sh, fuzz-recipe.sh, fuzz-keras-config.sh).
        .target(name: "FuzzSupport"),
        .executableTarget(name: "ContainerFuzz", dependencies: ["FuzzSupport", "ModelIO", "Compression", "NN", "TensorCore"]),
        .executableTarget(name: "RecipeFuzz", dependencies: ["FuzzSupport", "Pipeline"]),
        .executableTarget(name: "KerasConfigFuzz", dependencies: ["FuzzSupport", "ModelIO", "NN", "HDF5"]),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore"]),
        .testTarget(name: "ModelIOTests", dependencies: ["ModelIO", "NN", "HDF5", "TensorCore"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression", "NN", "TensorCore"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "ModelIO", "Compression", "NN", "TensorCore", "DCZRuntime"]),
        .testTarget(name: "CompressTests", dependencies: ["Pipeline", "ModelIO", "TensorCore"]),
    ]
)
