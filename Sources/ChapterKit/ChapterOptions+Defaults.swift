import Foundation
import Kernels

/// What the flags mean once the chapter's own defaults are known.
extension ChapterOptions {
  /// Epochs a `--quick` run trains for at most, unless `--epochs` is given explicitly.
  public static let quickEpochs = 2
  /// Training images a `--quick` run uses (the first ones of the training set).
  public static let quickTrainingImages = 2_048
  /// Test images a `--quick` run uses.
  public static let quickTestImages = 512
  /// The environment variable naming the data folder when `--data-dir` is not given.
  public static let dataDirectoryVariable = "BOTTLENECK_DATA_DIR"
  /// The data folder when neither `--data-dir` nor the environment variable is set.
  public static let defaultDataDirectory = "/usr/share/datasets/fashion-mnist"

  /// Epochs to train: `--epochs` if given, else the chapter's `chapterDefault`, capped at
  /// `quickEpochs` in `--quick` mode.
  public func epochs(default chapterDefault: Int) -> Int {
    if let epochs { return epochs }
    return quick ? min(chapterDefault, Self.quickEpochs) : chapterDefault
  }

  /// `--learning-rate` if given, else the chapter's default.
  public func learningRate(default chapterDefault: Float) -> Float {
    learningRate ?? chapterDefault
  }

  /// `--latent` if given, else the chapter's default.
  public func latent(default chapterDefault: Int) -> Int {
    latent ?? chapterDefault
  }

  /// How many training images to use: nil (all) normally, `quickTrainingImages` with `--quick`.
  public var trainingLimit: Int? { quick ? Self.quickTrainingImages : nil }

  /// How many test images to use: nil (all) normally, `quickTestImages` with `--quick`.
  public var testLimit: Int? { quick ? Self.quickTestImages : nil }

  /// Whether to write figures (false with `--no-plots`).
  public var plots: Bool { !noPlots }

  /// The threads the chosen kernel set really uses: 1 for naive (single-threaded by design),
  /// else `--threads` or all cores.
  public var threadCount: Int {
    kernels.lowercased() == "naive" ? 1 : (threads ?? TiledKernels.defaultThreads)
  }

  /// The GEMM tile: `--tile`, else $BOTTLENECK_TILE, else the one for this CPU. Throws
  /// `GEMMTileError.unknownName` for a name that is none of them.
  public func gemmTile() throws -> GEMMTile {
    try GEMMTile.resolve(flag: tile)
  }

  /// The kernel set named by `--kernels`, with `--threads` workers and the `--tile` tile.
  /// Throws `KernelSetError.unknownName` for a name `validate()` would have rejected.
  public func kernelSet() throws -> any KernelSet {
    try Kernels.named(kernels, threads: threads, tile: gemmTile())
  }

  /// What metrics.json records of the CPU: its vector instructions, and the tile the GEMM used
  /// (null with the naive kernels, which have none).
  public func cpuMetrics() throws -> [String: MetricValue] {
    let naive = kernels.lowercased() == "naive"
    return [
      "isa": .text(VectorISA.usable.description),
      "tile": naive ? .null : .text(try gemmTile().rawValue),
    ]
  }

  /// Runs `body` with `Kernels.current` set to the chosen kernel set, so every tensor operation
  /// inside it uses that set (a task-local value: it ends with the closure).
  /// With `--profile`, every kernel call is timed (`ProfilingKernels`) and a breakdown is printed
  /// when `body` returns.
  public func withKernels<Result>(_ body: () throws -> Result) throws -> Result {
    guard profile else { return try Kernels.$current.withValue(try kernelSet(), operation: body) }
    let profiling = ProfilingKernels(try kernelSet())
    let (result, seconds) = try measure {
      try Kernels.$current.withValue(profiling, operation: body)
    }
    print("\n" + KernelProfileReport(tally: profiling.tally, wallSeconds: seconds).text)
    return result
  }

  /// The data folder: `--data-dir`, else $BOTTLENECK_DATA_DIR (if set and not empty), else
  /// /usr/share/datasets/fashion-mnist. `environment` is a parameter so tests can pass their own.
  public func dataDirectory(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> URL {
    if let dataDir { return URL(fileURLWithPath: dataDir, isDirectory: true) }
    if let fromEnvironment = environment[Self.dataDirectoryVariable], !fromEnvironment.isEmpty {
      return URL(fileURLWithPath: fromEnvironment, isDirectory: true)
    }
    return URL(fileURLWithPath: Self.defaultDataDirectory, isDirectory: true)
  }

  /// The output folder: `--output`, else `output/<chapter>/` under the current directory.
  /// Nothing is created here; `OutputFolder(creating:)` does that and checks it.
  public func outputDirectory(chapter: String) -> URL {
    URL(fileURLWithPath: output ?? "output/\(chapter)", isDirectory: true)
  }

  /// Creates and checks the output folder (see `OutputFolder`).
  public func outputFolder(chapter: String) throws -> OutputFolder {
    try OutputFolder(creating: outputDirectory(chapter: chapter))
  }
}
