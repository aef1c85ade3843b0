// What the lab records: the machine and build it ran on, every measurement, and how they are
// written to metrics.json and drawn in gemm.png.

import Bottleneck
import Foundation

// MARK: - The machine and the build

/// Facts about the CPU, from /proc/cpuinfo and /sys (Linux); "unknown" elsewhere.
struct MachineFacts {
  var cores = ProcessInfo.processInfo.activeProcessorCount
  var cpuModel = "unknown"
  /// The clock /proc/cpuinfo reports (the nominal one on a virtual machine; under AVX-512 load
  /// a real core may run slower).
  var megahertz: Double?
  /// Cache sizes of one core as the kernel reports them: "L1d" → "48K", "L2" → "2048K", …
  var caches: [(name: String, size: String)] = []
  var flags: Set<String> = []
  /// The share of all cores' time that other programs used in the quarter second before the lab
  /// started (OtherPrograms.swift). Well above 0 means the numbers, multi-threaded ones most,
  /// will be low and noisy.
  var busyBeforeStart: Double?

  static func current() -> MachineFacts {
    var facts = MachineFacts()
    facts.busyBeforeStart = OtherProgramsMeter.share(over: 0.25)
    if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
      func value(_ key: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
          if let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
          }
        }
        return nil
      }
      facts.cpuModel = value("model name") ?? value("Model") ?? "unknown"
      facts.megahertz = value("cpu MHz").flatMap(Double.init)
      facts.flags = Set(
        (value("flags") ?? value("Features") ?? "").split(separator: " ").map(String.init))
    }
    let cacheFolder = "/sys/devices/system/cpu/cpu0/cache"
    for index in 0..<8 {
      func read(_ name: String) -> String? {
        (try? String(contentsOfFile: "\(cacheFolder)/index\(index)/\(name)", encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines)
      }
      guard let level = read("level"), let type = read("type"), let size = read("size") else {
        continue
      }
      if type == "Instruction" { continue }
      facts.caches.append((type == "Data" ? "L\(level)d" : "L\(level)", size))
    }
    return facts
  }

  /// Single-precision floating-point operations one core can start per cycle with the vector
  /// instructions this build uses (an AVX2 build on an AVX-512 CPU gets AVX2's): 2 FMA units x
  /// 16 lanes x 2 (a multiply and an add) = 64 with AVX-512, 32 with AVX2. nil where unknown.
  /// (Some AVX-512 parts have one FMA unit, and then half of this.)
  var flopsPerCycle: Int? {
    switch VectorISA.usable {
    case .avx512: 64
    case .avx2: 32
    default: nil
    }
  }

  /// The peak GFLOP/s of one core at the reported clock, when both are known.
  var peakGflopsPerCore: Double? {
    guard let flopsPerCycle, let megahertz else { return nil }
    return Double(flopsPerCycle) * megahertz / 1000
  }

  var cacheText: String {
    caches.isEmpty ? "unknown" : caches.map { "\($0.name) \($0.size)" }.joined(separator: ", ")
  }
}

/// How this executable was compiled: the settings Package.swift gives the KernelLab target.
enum BuildFacts {
  static var configuration: String {
    #if DEBUG
      return "debug"
    #else
      return "release"
    #endif
  }

  /// The flags from Package.swift's `fast` settings for this configuration.
  static var flags: [String] {
    var flags: [String] = []
    if !VectorISA.compiledMarch.isEmpty { flags.append("-Xcc -march=\(VectorISA.compiledMarch)") }
    flags.append("-O")
    return flags
  }

  /// The Swift compiler that built the lab, to the minor version.
  static var compiler: String {
    #if compiler(>=6.4)
      return "6.4 or later"
    #elseif compiler(>=6.3)
      return "6.3"
    #elseif compiler(>=6.2)
      return "6.2"
    #elseif compiler(>=6.1)
      return "6.1"
    #else
      return "6.0"
    #endif
  }
}

// MARK: - Measurements

/// One GEMM measurement: a row of metrics.json's `gemm` array.
struct GEMMRow {
  var variant: String
  /// "square", or the chapter shape's name ("forward y = x·Wᵀ").
  var shape: String
  var m: Int, n: Int, k: Int
  var transposeA = false, transposeB = false
  var threads: Int
  var seconds: Double
  var runs: Int
  /// Largest |C − C_naive| over the elements; nil where naive did not run (or for NumPy).
  var maxAbsDiff: Double?

  var gflops: Double { 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9 }

  var metric: MetricValue {
    [
      "variant": .text(variant), "shape": .text(shape), "m": .integer(m), "n": .integer(n),
      "k": .integer(k), "transpose_a": .flag(transposeA), "transpose_b": .flag(transposeB),
      "threads": .integer(threads), "seconds": .number(seconds), "runs": .integer(runs),
      "gflops": .number(gflops), "max_abs_diff": MetricValue(orNull: maxAbsDiff),
    ]
  }
}

/// One elementwise or reduction measurement: a row of metrics.json's `elementwise` array.
struct ElementwiseRow {
  var kernel: String
  var variant: String
  var rows: Int, columns: Int
  /// Bytes the kernel reads plus bytes it writes.
  var bytes: Int
  var seconds: Double
  var runs: Int

  var gigabytesPerSecond: Double { Double(bytes) / seconds / 1e9 }

  var metric: MetricValue {
    [
      "kernel": .text(kernel), "variant": .text(variant), "rows": .integer(rows),
      "columns": .integer(columns), "elements": .integer(rows * columns),
      "bytes": .integer(bytes), "seconds": .number(seconds), "runs": .integer(runs),
      "gbps": .number(gigabytesPerSecond),
    ]
  }
}

/// One small shape of the correctness check: a step's largest difference from naive.
struct ValidationRow {
  var variant: String
  var m: Int, n: Int, k: Int
  var maxAbsDiff: Double

  var metric: MetricValue {
    [
      "variant": .text(variant), "m": .integer(m), "n": .integer(n), "k": .integer(k),
      "max_abs_diff": .number(maxAbsDiff),
    ]
  }
}

/// Everything one run of the lab measured.
struct LabResults {
  var quick: Bool
  var threads: Int
  var machine: MachineFacts
  var validation: [ValidationRow] = []
  var gemm: [GEMMRow] = []
  var elementwise: [ElementwiseRow] = []
  /// NumPy's version and BLAS, or why there was no NumPy baseline.
  var numpy: MetricValue = .null
  /// GFLOP/s of step 3 on subnormal inputs with flush-to-zero off and on (nil: not measured).
  var denormals: (off: Double, on: Double)?
  /// The share of all cores' time other programs used while the lab measured.
  var othersDuringRun: Double?
  /// Whether the tiled GEMM gave the same bits with 1 thread and with several.
  var identicalAcrossThreads: Bool?
  var wallSeconds = 0.0
  /// The measured FMA ceiling, and the tile the tiled kernels used.
  var peak: MeasuredPeak?
  var tile: GEMMTile = .best
  /// Every tile timed on one thread.
  var tiles: [TileRow] = []
  /// Chapter 1's training step, its 17 multiplies as one (TrainingStep.swift).
  var trainingStep: [StepRow] = []
  /// Products timed as written and turned round (TurnedAround.swift).
  var turned: [TurnedRow] = []
  /// The convolution section: tiled against naive on a small batch, then every product timed.
  var convolutionValidation: [ConvValidationRow] = []
  var convolution: [ConvRow] = []
  /// PyTorch's version, or why there was no PyTorch baseline.
  var torch: MetricValue = .null

  /// metrics.json: pretty-printed, keys sorted, so two runs diff cleanly.
  func jsonData() throws -> Foundation.Data {
    var machineGroup: [String: MetricValue] = [
      "cores": .integer(machine.cores), "cpu_model": .text(machine.cpuModel),
      "caches": .text(machine.cacheText), "avx512": .flag(machine.flags.contains("avx512f")),
      "cpu_mhz": MetricValue(orNull: machine.megahertz),
      "peak_gflops_per_core": MetricValue(orNull: machine.peakGflopsPerCore),
      "busy_before_start": MetricValue(orNull: machine.busyBeforeStart),
    ]
    machineGroup["flops_per_cycle"] = machine.flopsPerCycle.map { .integer($0) } ?? .null
    let top: MetricValue = [
      "chapter": "kernels",
      "date": .text(ISO8601DateFormatter().string(from: Date())),
      "quick": .flag(quick),
      "threads": .integer(threads),
      "machine": .group(machineGroup),
      "cpu": [
        "isa": .text(VectorISA.usable.description), "tile": .text(tile.rawValue),
        "turn_cost_column_write": .number(tile.turnCosts.columnWrite),
        "turn_cost_column_read": .number(tile.turnCosts.columnRead),
        "peak_gflops_1_thread": MetricValue(orNull: peak?.oneThread),
        "peak_gflops": MetricValue(orNull: peak?.allThreads),
        "peak_gflops_1_thread_runs": .list((peak?.oneThreadRuns ?? []).map { .number($0) }),
        "peak_gflops_runs": .list((peak?.allThreadsRuns ?? []).map { .number($0) }),
        "kernel_in_l1_gflops_1_thread": MetricValue(orNull: peak?.kernelOneThread),
        "kernel_in_l1_gflops": MetricValue(orNull: peak?.kernelAllThreads),
        "kernel_in_l1_gflops_1_thread_runs": .list(
          (peak?.kernelOneThreadRuns ?? []).map { .number($0) }),
        "kernel_in_l1_gflops_runs": .list((peak?.kernelAllThreadsRuns ?? []).map { .number($0) }),
        "l1d_bytes": .integer(CacheSizes.l1), "l2_bytes": .integer(CacheSizes.l2),
      ],
      "tiles": .list(tiles.map(\.metric)),
      "chapter1_step": .list(trainingStep.map(\.metric)),
      "turned_around": .list(turned.map(\.metric)),
      "build": [
        "configuration": .text(BuildFacts.configuration),
        "flags": .list(BuildFacts.flags.map { .text($0) }),
        "swift": .text(BuildFacts.compiler),
      ],
      "numpy": numpy,
      "validation": .list(validation.map(\.metric)),
      "gemm": .list(gemm.map(\.metric)),
      "elementwise": .list(elementwise.map(\.metric)),
      "convolution_validation": .list(convolutionValidation.map(\.metric)),
      "convolution": .list(convolution.map(\.metric)),
      "torch": torch,
      "denormals": denormals.map {
        ["ftz_off_gflops": .number($0.off), "ftz_on_gflops": .number($0.on)]
      } ?? .null,
      "tiled_identical_across_thread_counts": identicalAcrossThreads.map { .flag($0) } ?? .null,
      "other_programs_cpu_share": MetricValue(orNull: othersDuringRun),
      "wall_seconds": .number(wallSeconds),
    ]
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(top)
    data.append(contentsOf: "\n".utf8)
    return data
  }

  /// GFLOP/s against n for the square sizes, one line per variant, both axes logarithmic: the
  /// steps differ by factors, and a factor is the same height anywhere on a log axis.
  func gemmPlot(variants: [String]) -> LinePlot {
    LinePlot(
      title: "C = A·B for n x n floats: GFLOP/s of each step (median)", xLabel: "n",
      yLabel: "GFLOP/s", series: squareSeries(variants), logScaleX: true, logScaleY: true,
      key: .outsideRight, width: 1000, height: 650)
  }

  /// The fast variants alone on a linear axis, under the two measured ceilings (the FMA peak and
  /// the micro-kernel in L1) for one thread and for all of them: how close each comes to the
  /// machine.
  func fastPlot(variants: [String]) -> LinePlot {
    let fast = variants.filter { $0 == "simd-1-thread" || $0 == "tiled" || $0.hasPrefix("numpy") }
    var series = squareSeries(fast)
    let sizes = Set(gemm.filter { $0.shape == "square" }.map { Double($0.n) }).sorted()
    if let peak, let first = sizes.first, let last = sizes.last {
      // The measured ceilings (PeakFLOPS.swift).
      // The FMA peak (registers only), then the micro-kernel alone with its strips in L1.
      func ceiling(_ name: String, _ value: Double) {
        series.append(.init(name, x: [first, last], y: [value, value]))
      }
      ceiling("measured peak, 1 thread", peak.oneThread)
      if peak.threads > 1 { ceiling("measured peak, \(peak.threads) threads", peak.allThreads) }
      ceiling("\(tile) kernel in L1, 1 thread", peak.kernelOneThread)
      if peak.threads > 1 {
        ceiling("\(tile) kernel in L1, \(peak.threads) threads", peak.kernelAllThreads)
      }
    }
    return LinePlot(
      title: "Fast kernels (medians) under the two ceilings (best rounds): GFLOP/s",
      xLabel: "n", yLabel: "GFLOP/s", series: series, logScaleX: true, showPoints: true,
      key: .outsideRight, width: 1000, height: 650)
  }

  /// One series per variant over the square sizes it ran on.
  private func squareSeries(_ variants: [String]) -> [LinePlot.Series] {
    let squares = gemm.filter { $0.shape == "square" }
    return variants.compactMap { variant in
      let rows = squares.filter { $0.variant == variant }.sorted { $0.n < $1.n }
      guard !rows.isEmpty else { return nil }
      return LinePlot.Series(variant, x: rows.map { Double($0.n) }, y: rows.map(\.gflops))
    }
  }
}
