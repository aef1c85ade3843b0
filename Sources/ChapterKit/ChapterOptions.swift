import ArgumentParser
import Foundation
import Kernels

/// The flags every chapter takes. A chapter includes them with
///
///     struct Vanilla: ParsableCommand {
///       @OptionGroup var options: ChapterOptions
///       func run() throws { try runChapter { … } }
///     }
///
/// Flags whose default depends on the chapter (epochs, learning rate, latent size) are optional
/// here; the chapter reads them through `epochs(default:)`, `learningRate(default:)` and
/// `latent(default:)` (see ChapterOptions+Defaults.swift).
public struct ChapterOptions: ParsableArguments {
  public init() {}

  @Option(help: "Training epochs (passes over the training set). (default: the chapter's own)")
  public var epochs: Int?

  // ArgumentParser appends "(default: …)" itself for options with a default value.
  @Option(help: "Images per training step.")
  public var batchSize: Int = 128

  @Option(help: "Optimizer step size. (default: the chapter's own)")
  public var learningRate: Float?

  @Option(help: "Size of the latent code, the bottleneck. (default: the chapter's own)")
  public var latent: Int?

  @Option(help: "Seed for weights, shuffling and noise; the same seed repeats a run.")
  public var seed: UInt64 = 42

  @Option(
    help: ArgumentHelp(
      "Kernel set for the math: 'naive' (plain loops, slow, the reference) or 'tiled' (blocked, "
        + "SIMD, multi-core).",
      valueName: "naive|tiled"))
  public var kernels: String = "tiled"

  @Option(help: "Worker threads for the tiled kernels. (default: all cores)")
  public var threads: Int?

  @Option(
    help: ArgumentHelp(
      "Register tile of the tiled GEMM: 'auto' (the one for this CPU), or 8x32 (AVX-512), 6x16 "
        + "(AVX2), 8x12 (NEON), 6x8 (SSE2). (default: $BOTTLENECK_TILE if set, else auto)",
      valueName: "auto|8x32|6x16|8x12|6x8"))
  public var tile: String?

  @Option(
    help: ArgumentHelp(
      "Folder with the Fashion-MNIST files. (default: $\(ChapterOptions.dataDirectoryVariable) "
        + "if set, else \(ChapterOptions.defaultDataDirectory))",
      valueName: "folder"))
  public var dataDir: String?

  @Option(
    help: ArgumentHelp(
      "Folder for metrics.json, figures and checkpoints, created if missing. "
        + "(default: output/<chapter>/)",
      valueName: "folder"))
  public var output: String?

  @Flag(
    help: ArgumentHelp(
      "Smoke run: a small subset of the data and at most \(ChapterOptions.quickEpochs) epochs, "
        + "done in well under a minute."))
  public var quick = false

  @Flag(
    help:
      "Do not render plots with gnuplot; their .gp scripts and data are still written, and image grids too."
  )
  public var noPlots = false

  @Flag(
    help: ArgumentHelp(
      "Continue a run stopped by Ctrl-C, SIGTERM or a crash from its checkpoints in the output "
        + "folder's checkpoints/; give the stopped run's other flags too. Its numbers are those "
        + "of an uninterrupted run."))
  public var resume = false

  @Flag(
    help:
      "Time every kernel call and print where the time went: each kernel kind's share, and what is left for everything else."
  )
  public var profile = false

  /// Rejects values no run could use, with a message that names the flag and what it accepts.
  /// ArgumentParser calls this after parsing and prints the message with the usage line.
  public func validate() throws {
    if let epochs, epochs < 1 {
      throw ValidationError("--epochs must be at least 1 (got \(epochs)).")
    }
    if batchSize < 1 {
      throw ValidationError("--batch-size must be at least 1 (got \(batchSize)).")
    }
    if let learningRate, !(learningRate.isFinite && learningRate > 0) {
      throw ValidationError(
        "--learning-rate must be a positive number such as 0.001 (got \(learningRate)).")
    }
    if let latent, latent < 1 {
      throw ValidationError("--latent must be at least 1 (got \(latent)).")
    }
    if !Kernels.names.contains(kernels.lowercased()) {
      throw ValidationError(
        "unknown kernel set '\(kernels)' for --kernels: use one of "
          + Kernels.names.joined(separator: ", ") + ".")
    }
    if let tile, (try? GEMMTile.named(tile)) == nil {
      throw ValidationError(
        "unknown tile '\(tile)' for --tile: use one of " + GEMMTile.names.joined(separator: ", ")
          + ".")
    }
    if let threads, threads < 1 {
      throw ValidationError("--threads must be at least 1 (got \(threads)).")
    }
    if let dataDir, dataDir.isEmpty {
      throw ValidationError("--data-dir must not be empty.")
    }
    if let output, output.isEmpty {
      throw ValidationError("--output must not be empty.")
    }
  }
}
