import Foundation

/// The numbers a chapter run leaves behind in `<output>/metrics.json`: how it was run (chapter,
/// seed, kernels, threads, epochs, batch size), what it cost (seconds per epoch, peak memory, wall
/// time) and what it achieved (`results`, the chapter's own final metrics).
///
///     var metrics = MetricsFile(chapter: "vanilla", options: options, epochs: epochs)
///     …train…
///     metrics["test_mse_per_pixel"] = MetricValue(testLoss)
///     metrics["pca"] = ["test_mse_per_pixel": MetricValue(pcaLoss)]
///     metrics.finish(wallClock: watch, epochSeconds: progress.epochSeconds)
///     try metrics.write(to: folder)
///     metrics.printTable()
///
/// The JSON looks like this (keys sorted, so two runs diff cleanly):
///
///     {
///       "batch_size" : 128,
///       "chapter" : "vanilla",
///       "cpu" : { "isa" : "avx2+fma", "tile" : "6x16" },
///       "epochs" : 10,
///       "kernels" : "tiled",
///       "peak_memory_mib" : 312.5,
///       "results" : { "pca" : { … }, "test_mse_per_pixel" : 0.0213 },
///       "seconds_per_epoch" : [ 4.2, 4.1, … ],
///       "seconds_per_epoch_median" : 4.1,
///       "seed" : 42,
///       "threads" : 2,
///       "wall_seconds" : 45.2
///     }
public struct MetricsFile: Sendable, Equatable {
  /// The file name a chapter writes into its output folder.
  public static let fileName = "metrics.json"

  public var chapter: String
  public var seed: UInt64
  /// The kernel set's name, "naive" or "tiled".
  public var kernels: String
  public var threads: Int
  /// What the run knew of the CPU: "isa" (its vector instructions, as the kernels use them) and
  /// "tile" (the GEMM's register tile); the kernel lab adds its measured peak.
  public var cpu: [String: MetricValue] = [:]
  public var epochs: Int
  public var batchSize: Int
  /// Seconds each epoch took, in order (`Progress.epochSeconds`).
  public var secondsPerEpoch: [Double] = []
  /// Peak resident memory in MiB (`PeakMemory.mebibytes()`), nil where unknown.
  public var peakMemoryMiB: Double?
  /// Seconds for the whole run, loading and evaluation included.
  public var wallSeconds: Double = 0
  /// The chapter's own results, under self-explaining keys such as "test_mse_per_pixel";
  /// `.group` values nest.
  public var results: [String: MetricValue] = [:]

  public init(
    chapter: String, seed: UInt64, kernels: String, threads: Int, epochs: Int, batchSize: Int
  ) {
    self.chapter = chapter
    self.seed = seed
    self.kernels = kernels
    self.threads = threads
    self.epochs = epochs
    self.batchSize = batchSize
  }

  /// The run settings taken from the parsed flags; `epochs` is the number the chapter resolved
  /// (`options.epochs(default:)`).
  public init(chapter: String, options: ChapterOptions, epochs: Int) {
    self.init(
      chapter: chapter, seed: options.seed, kernels: options.kernels.lowercased(),
      threads: options.threadCount, epochs: epochs, batchSize: options.batchSize)
    cpu = (try? options.cpuMetrics()) ?? [:]
  }

  /// The median of `secondsPerEpoch`, nil when no epoch was timed.
  public var medianSecondsPerEpoch: Double? { median(secondsPerEpoch) }

  /// A chapter result by key: `metrics["test_mse_per_pixel"] = MetricValue(loss)`.
  public subscript(key: String) -> MetricValue? {
    get { results[key] }
    set { results[key] = newValue }
  }

  /// Fills in the costs at the end of a run: wall time from `wallClock` (started at the top of
  /// the chapter), the epochs' seconds, and the peak memory read now.
  public mutating func finish(wallClock: Stopwatch, epochSeconds: [Double]) {
    wallSeconds = wallClock.seconds
    secondsPerEpoch = epochSeconds
    peakMemoryMiB = PeakMemory.mebibytes()
  }

  /// Every top-level entry in print order: the run's settings, its costs, then "results".
  public var entries: [(key: String, value: MetricValue)] {
    [
      ("chapter", .text(chapter)),
      ("seed", .integer(Int(truncatingIfNeeded: seed))),
      ("kernels", .text(kernels)),
      ("threads", .integer(threads)),
      ("cpu", .group(cpu)),
      ("epochs", .integer(epochs)),
      ("batch_size", .integer(batchSize)),
      ("seconds_per_epoch_median", MetricValue(orNull: medianSecondsPerEpoch)),
      ("seconds_per_epoch", .list(secondsPerEpoch.map { .number($0) })),
      ("peak_memory_mib", MetricValue(orNull: peakMemoryMiB)),
      ("wall_seconds", .number(wallSeconds)),
      ("results", .group(results)),
    ]
  }

  /// The JSON text: pretty-printed, keys sorted, numbers at full Double precision.
  public func jsonData() throws -> Foundation.Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let top = MetricValue.group(
      Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) }))
    var data = try encoder.encode(top)
    data.append(contentsOf: "\n".utf8)  // text files end with a newline
    return data
  }

  /// Writes `metrics.json` into `folder`, atomically, and returns its URL.
  @discardableResult
  public func write(to folder: OutputFolder) throws -> URL {
    try folder.write(try jsonData(), to: Self.fileName)
  }
}
