import CPUSupport
import Foundation

/// The shape of the GEMM's register tile, one per kind of vector register file.
///
/// A tile has to fit the registers of the CPU it runs on (RegisterTile.swift says why), and CPUs
/// differ: an AVX-512 core has 32 registers of 16 floats, an AVX2 core 16 of 8, an arm64 core 32
/// of 4. So the tiled kernels carry one tile per register file and pick one at start-up
/// (`GEMMTile.chosen`). Every tile runs on every machine, because Swift's SIMD types compile
/// everywhere (a SIMD16 on AVX2 is two 8-float registers), so the tests check all four wherever
/// they run; only the speed differs, and a tile that does not fit its registers spills them to
/// memory on every step along k. Set BOTTLENECK_TILE (or pass `--tile`) to see what that costs.
public enum GEMMTile: String, CaseIterable, Sendable, CustomStringConvertible {
  /// 8 rows x 32 columns, two SIMD16 per row: 16 of AVX-512's 32 registers of 512 bits.
  case avx512 = "8x32"
  /// 6 x 16, two SIMD8 per row: 12 accumulators + 2 for b's row + 1 broadcast = 15 of AVX2's 16
  /// registers of 256 bits (the shape of BLIS's and OpenBLAS's Haswell and Zen kernels).
  case avx2 = "6x16"
  /// 8 x 12, three SIMD4 per row: 24 accumulators + 3 + 1 of NEON's 32 registers of 128 bits.
  case neon = "8x12"
  /// 6 x 8, two SIMD4 per row: 15 of the 16 registers of 128 bits every x86-64 CPU has (SSE2).
  case portable = "6x8"

  /// "6x16" and so on: rows x columns.
  public var description: String { rawValue }

  /// Rows of c in one tile (and of a in one packed strip).
  public var rows: Int {
    switch self {
    case .avx512: 8
    case .avx2: 6
    case .neon: 8
    case .portable: 6
    }
  }

  /// Columns of c in one tile (and of b in one packed strip).
  public var columns: Int {
    switch self {
    case .avx512: 32
    case .avx2: 16
    case .neon: 12
    case .portable: 8
    }
  }

  /// Floats in one of the vector registers this tile was made for.
  public var vectorWidth: Int {
    switch self {
    case .avx512: 16
    case .avx2: 8
    case .neon, .portable: 4
    }
  }

  /// Registers the inner loop keeps live: the accumulators, b's row, and one broadcast of a.
  public var registersNeeded: Int {
    let vectors = columns / vectorWidth
    return rows * vectors + vectors + 1
  }

  /// What GEMMBlocking's choice of orientation charges for writing c as columns and reading a
  /// down its columns (GEMMBlocking.TurnCosts), as measured with the tile on its CPU.
  /// - 8x32, on the 2-core Ice Lake Xeon (2 Dec 2026, Scratch runs in turns, 1 and 2 threads):
  ///   turned, dx = dy·W (128 x 784, k 256) ran at 0.68-0.71 of as written and a
  ///   convolution's forward product (64 x 1568, k 288) at 0.67-0.82, both with b stored (k, n);
  ///   turned with a packed instead of read in place, dx still lost (0.84), and a vector
  ///   write of c's columns instead of one float at a time changed nothing. With b stored
  ///   (n, k), chapter 1's decoder product (the dx shape) gained 1.05-1.15x turned, a weight
  ///   gradient (64 x 288, k 1568) 1.14x on 2 threads, while one with 3136 columns and k 128
  ///   lost (0.77-0.89). Charging 1.5 per float written as a column and 1 per float read down
  ///   the columns gives those choices.
  /// - 6x16, on the 2-core Zen 3 EPYC: the plain count; turning dx and the convolutions' products
  ///   gained 1.07-1.33x there. NEON's and the portable tile: untimed, the plain count.
  public var turnCosts: GEMMBlocking.TurnCosts {
    switch self {
    case .avx512: GEMMBlocking.TurnCosts(columnWrite: 1.5, columnRead: 1)
    case .avx2, .neon, .portable: .plain
    }
  }

  /// The instruction set the tile was made for, as the lab and metrics.json name it.
  public var isa: VectorISA {
    switch self {
    case .avx512: .avx512
    case .avx2: .avx2
    case .neon: .neon
    case .portable: .baseline
    }
  }

  /// The tile made for `isa`.
  public init(for isa: VectorISA) {
    switch isa {
    case .avx512: self = .avx512
    case .avx2: self = .avx2
    case .neon: self = .neon
    case .baseline: self = .portable
    }
  }

  /// The tile for the instructions both this CPU and this build have (`VectorISA.usable`).
  public static var best: GEMMTile { GEMMTile(for: .usable) }

  /// The tile the tiled kernels use unless told otherwise: BOTTLENECK_TILE when it is set to a
  /// tile's name ("6x16") or instruction set ("avx2"), else `best`. A value that names neither
  /// is reported by `fromEnvironment()`, which the chapters call at start-up.
  public static let chosen: GEMMTile = (try? fromEnvironment()) ?? best

  /// The tile BOTTLENECK_TILE names, or nil when it is unset or empty.
  public static func fromEnvironment() throws -> GEMMTile? {
    guard let value = ProcessInfo.processInfo.environment["BOTTLENECK_TILE"], !value.isEmpty
    else { return nil }
    return try named(value)
  }

  /// The tile called `name`: "8x32", "6x16", "8x12" or "6x8", or its instruction set ("avx512",
  /// "avx2", "neon", "portable"), or "auto" for `best`.
  public static func named(_ name: String) throws -> GEMMTile {
    let name = name.lowercased()
    if name == "auto" { return best }
    if let tile = GEMMTile(rawValue: name) ?? allCases.first(where: { $0.caseName == name }) {
      return tile
    }
    throw GEMMTileError.unknownName(name)
  }

  /// The tile a `--tile` flag asks for: the flag's value if given, else BOTTLENECK_TILE's, else
  /// `best`. (The chapters' flag and the kernel lab's both mean this.)
  public static func resolve(flag: String?) throws -> GEMMTile {
    if let flag { return try named(flag) }
    return try fromEnvironment() ?? best
  }

  /// Whether the tile's live registers outnumber what `isa` has: a tile made for wider
  /// registers needs proportionally more of the narrower ones (a SIMD16 is two AVX2 registers),
  /// and a narrower one still takes a whole register per vector.
  public func spills(on isa: VectorISA) -> Bool {
    registersNeeded * max(1, vectorWidth / isa.lanes) > isa.vectorRegisters
  }

  /// "avx512", "avx2", "neon" or "portable".
  public var caseName: String {
    switch self {
    case .avx512: "avx512"
    case .avx2: "avx2"
    case .neon: "neon"
    case .portable: "portable"
    }
  }

  /// Every name `named` takes, for help texts and error messages.
  public static var names: [String] { ["auto"] + allCases.map(\.rawValue) }
}

public enum GEMMTileError: Error, CustomStringConvertible {
  case unknownName(String)

  public var description: String {
    switch self {
    case .unknownName(let name):
      let names = GEMMTile.allCases.map { "\($0.rawValue) (\($0.caseName))" }
      return "unknown GEMM tile '\(name)': use auto, or one of \(names.joined(separator: ", "))"
    }
  }
}

/// A family of vector instructions, as far as the GEMM's register tile cares.
public enum VectorISA: Int, Comparable, Sendable, CustomStringConvertible {
  /// Only what every CPU of the architecture has (SSE2 on x86-64).
  case baseline = 0
  /// AVX2 with FMA: 16 registers of 256 bits.
  case avx2 = 1
  /// AVX-512 Foundation: 32 registers of 512 bits.
  case avx512 = 2
  /// arm64's Advanced SIMD: 32 registers of 128 bits, with FMA.
  case neon = 3

  public var description: String {
    switch self {
    case .baseline:
      #if arch(x86_64)
        "sse2"
      #else
        "scalar"
      #endif
    case .avx2: "avx2+fma"
    case .avx512: "avx512"
    case .neon: "neon"
    }
  }

  public static func < (a: VectorISA, b: VectorISA) -> Bool { a.rawValue < b.rawValue }

  /// Vector registers the instruction set has (16 on x86-64 without AVX-512).
  public var vectorRegisters: Int { self == .avx512 || self == .neon ? 32 : 16 }

  /// Floats in one of its vector registers.
  public var lanes: Int {
    switch self {
    case .avx512: 16
    case .avx2: 8
    case .neon, .baseline: 4
    }
  }

  /// What the CPU running the program offers (cpuid on x86-64).
  public static let cpu = VectorISA(rawValue: Int(bottleneck_cpu_vector_isa())) ?? .baseline

  /// What the compiler was allowed to use when it built the kernels (Package.swift's -march).
  public static let compiled =
    VectorISA(rawValue: Int(bottleneck_compiled_vector_isa())) ?? .baseline

  /// The -march the kernels were compiled with (Package.swift's BOTTLENECK_MARCH, "native" by
  /// default), or "" when the build gave none.
  public static let compiledMarch = String(cString: bottleneck_compiled_march())

  /// What both have: a binary built for AVX2 cannot use AVX-512 on a CPU that has it, and one
  /// built for AVX-512 would not even start on a CPU without it.
  public static var usable: VectorISA { min(cpu, compiled) }
}
