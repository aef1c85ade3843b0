// swift-tools-version:6.0
// Bottleneck: autoencoders from scratch, in Swift.
//
// The library is a stack of small targets, each one concept, bottom to top:
//   Kernels     raw-pointer hot loops, two sets: `naive` (reads like the math) and `tiled` (fast)
//   TensorCore  Tensor (shape + copy-on-write Float storage), seeded RNG, tensor math on the kernels
//   Autodiff    reverse-mode tape of ops, each backward next to its forward; gradient checker
//   Layers      Module protocol, Linear, Sequential, activations, Dropout
//   Training    losses, optimizers (SGD, Adam), schedules, gradient clipping
//   Checkpoint  safetensors save/load
//   Linalg      PCA (symmetric eigen-solver) on the GEMM kernel
//   Imaging     corruptions (Gaussian, masking, salt-and-pepper), PSNR, SSIM, median and Gaussian filters
//   Data        IDX reader (plain and gzip via zlib), Fashion-MNIST, batching
//   Figures     PNG via libpng, image grids, colour maps, gnuplot scripts
//   ChapterKit  shared flags, progress bar, metrics.json, output folder
//   Bottleneck  umbrella: `import Bottleneck` gives a chapter all of the above
import Foundation
import PackageDescription

// Release builds compile the kernels for the CPU they run on, so that Swift's SIMD types become real
// vector instructions (AVX2 or AVX-512) instead of scalar calls to `fmaf`. `-march=native` reaches
// Swift's code generator through the Clang importer; it builds on any x86-64 or arm64 machine, and
// the binary is meant for the machine that built it. BOTTLENECK_MARCH picks another target, to see
// the code another CPU would get: `BOTTLENECK_MARCH=haswell swift build -c release
// --scratch-path .build-haswell` builds AVX2 code (16 vector registers) on an AVX-512 machine,
// and `skylake-avx512` the reverse (which only runs where AVX-512 is). The C target also gets it as
// a define, so that the kernel lab can say which -march its binary was built with.
let march = ProcessInfo.processInfo.environment["BOTTLENECK_MARCH"] ?? "native"
#if arch(x86_64) || arch(arm64)
  let nativeCPU: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=\(march)"])]
  let nativeCPUC: [CSetting] = [
    .unsafeFlags(["-march=\(march)"]), .define("BOTTLENECK_MARCH", to: "\"\(march)\""),
  ]
#else
  let nativeCPU: [SwiftSetting] = []
  let nativeCPUC: [CSetting] = []
#endif
// The hot targets are optimised in debug builds too: unoptimised SIMD code is about 200 times slower,
// which would turn the test suite's training runs from seconds into minutes. (Debugging them in
// lldb is the price; build them with -Onone by hand if you need to step through a kernel.)
// Release builds use plain -O, not -Ounchecked: the kernels' inner loops work on raw pointers and
// have no bounds checks to remove, while -Ounchecked would also remove the library's shape checks
// (see the kernel lab for the measurements).
// -fno-math-errno: the C library's sqrtf sets errno for a negative input, and Swift's squareRoot()
// inherits that, which forces a scalar call per lane; without it, SIMD16's squareRoot() is one
// vector instruction. (Nothing in the package reads errno.)
let fast: [SwiftSetting] =
  nativeCPU + [
    .unsafeFlags(["-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
  ]

let package = Package(
  name: "Bottleneck",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "Bottleneck", targets: ["Bottleneck"]),
    .executable(name: "vanilla", targets: ["Vanilla"]),
    .executable(name: "denoising", targets: ["Denoising"]),
    .executable(name: "sparse", targets: ["Sparse"]),
    .executable(name: "contractive", targets: ["Contractive"]),
    .executable(name: "vae", targets: ["Variational"]),
    .executable(name: "conv", targets: ["Convolutional"]),
    .executable(name: "kernels", targets: ["KernelLab"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // C pieces: libpng and zlib from the system, and a CPU-control shim (flush-to-zero).
    .systemLibrary(
      name: "CLibPNG", path: "Sources/CLibPNG", pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),
    // libpng reports errors with setjmp/longjmp, which Swift cannot catch: PNGShim wraps each libpng
    // call sequence in a C function that sets the jump buffer and returns an error code instead.
    .target(name: "PNGShim", dependencies: ["CLibPNG"], path: "Sources/PNGShim"),
    .target(name: "CPUSupport", path: "Sources/CPUSupport", cSettings: nativeCPUC),
    // Writing files under a temporary name and renaming them: what every writer in the package uses.
    .target(name: "AtomicWrites"),

    // The library, bottom to top.
    .target(name: "Kernels", dependencies: ["CPUSupport"], swiftSettings: fast),
    .target(name: "TensorCore", dependencies: ["Kernels"], swiftSettings: fast),
    .target(name: "Autodiff", dependencies: ["TensorCore"], swiftSettings: fast),
    .target(name: "Layers", dependencies: ["Autodiff"], swiftSettings: fast),
    .target(name: "Training", dependencies: ["Layers", "Checkpoint"], swiftSettings: fast),
    .target(name: "Checkpoint", dependencies: ["TensorCore", "AtomicWrites"]),
    .target(name: "Linalg", dependencies: ["TensorCore"], swiftSettings: fast),
    .target(name: "Imaging", dependencies: ["TensorCore"], swiftSettings: fast),
    .target(
      name: "Data", dependencies: ["TensorCore", "CPUSupport", "CZlib", "AtomicWrites"],
      swiftSettings: fast),
    .target(name: "Figures", dependencies: ["TensorCore", "PNGShim", "AtomicWrites"]),
    .target(
      name: "ChapterKit",
      dependencies: [
        "TensorCore", "Layers", "Training", "Checkpoint", "Data", "Figures", "AtomicWrites",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .target(
      name: "Bottleneck",
      dependencies: [
        "Kernels", "TensorCore", "Autodiff", "Layers", "Training", "Checkpoint", "Linalg",
        "Imaging",
        "Data", "Figures", "ChapterKit",
      ]),

    // The chapters: one executable each, a literate main.swift.
    .executableTarget(name: "Vanilla", dependencies: ["Bottleneck"], path: "Chapters/01-Vanilla"),
    .executableTarget(
      name: "Denoising", dependencies: ["Bottleneck"], path: "Chapters/02-Denoising"),
    .executableTarget(name: "Sparse", dependencies: ["Bottleneck"], path: "Chapters/03-Sparse"),
    .executableTarget(
      name: "Contractive", dependencies: ["Bottleneck"], path: "Chapters/04-Contractive"),
    .executableTarget(
      name: "Variational", dependencies: ["Bottleneck"], path: "Chapters/05-Variational"),
    .executableTarget(
      name: "Convolutional", dependencies: ["Bottleneck"], path: "Chapters/06-Convolutional"),
    .executableTarget(
      name: "KernelLab", dependencies: ["Bottleneck"], path: "Chapters/Kernels",
      exclude: ["tile_loops.py", "tile_loops_arm64.sh"], swiftSettings: fast
    ),

    // Tests (Swift Testing).
    .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
    .testTarget(name: "AutodiffTests", dependencies: ["Autodiff"]),
    .testTarget(name: "LayersTests", dependencies: ["Layers"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "Data"]),
    .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"]),
    .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
    .testTarget(name: "DataTests", dependencies: ["Data"]),
    .testTarget(name: "FiguresTests", dependencies: ["Figures"]),
    .testTarget(
      name: "ChapterKitTests",
      dependencies: ["ChapterKit", "Training", "Checkpoint", "AtomicWrites"]),
    // Runs the chapter executables as a learner would (--quick) and checks what they write.
    .testTarget(
      name: "ChaptersTests",
      dependencies: [
        "Vanilla", "Denoising", "Sparse", "Contractive", "Variational", "Convolutional",
        "KernelLab", "Figures", "Checkpoint", "Kernels",
      ]),
  ]
)
