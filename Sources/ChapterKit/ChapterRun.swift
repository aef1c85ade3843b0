import Data
import Figures
import Foundation
import Kernels

/// What every chapter does before and after its lesson, in one place: check the output folder, load
/// the data (a stratified subset with `--quick`), save figures, and write metrics.json at the end.
/// A chapter's own file then holds only the lesson.
///
///     let run = try ChapterRun(chapter: "vanilla", options: options, epochs: 20)
///     ... train, using run.train and run.test ...
///     try run.save(grid, as: "reconstructions", caption: "row 1: inputs, row 2: reconstructions")
///     try run.finish(epochSeconds: progress.epochSeconds)
public final class ChapterRun {
  public let chapter: String
  public let options: ChapterOptions
  public let folder: OutputFolder
  public let train: ImageDataset
  public let test: ImageDataset
  /// The chapter's numbers; `finish` writes them to metrics.json and prints them.
  public var metrics: MetricsFile
  /// Started when the run was made: the total wall time in metrics.json.
  public let wallClock: Stopwatch
  /// Every training loop's checkpoint (`--resume` continues from them).
  public let checkpoints: CheckpointFolder

  /// Checks the output folder, then loads the training and test images.
  /// - Parameter epochs: the epoch count the chapter resolved (`options.epochs(default:)`).
  public init(chapter: String, options: ChapterOptions, epochs: Int) throws {
    wallClock = Stopwatch()
    self.chapter = chapter
    self.options = options
    folder = try options.outputFolder(chapter: chapter)
    let directory = options.dataDirectory()
    let kernels = try options.kernelSet()
    checkpoints = try CheckpointFolder(
      in: folder.url, identity: Self.identity(chapter, options, kernels, directory),
      resume: options.resume)
    let checkpointURL = checkpoints.url
    StopRequest.shared.install {
      CheckpointFolder.hasCheckpoints(checkpointURL)
        ? "Resume with: " + Self.resumeCommand()
        : "No training had finished yet: run the same command again to start over."
    }
    var train = try ImageDataset.load(split: .train, from: directory)
    var test = try ImageDataset.load(split: .test, from: directory)
    if let limit = options.trainingLimit { train = train.subset(total: limit) }
    if let limit = options.testLimit { test = test.subset(total: limit) }
    self.train = train
    self.test = test
    metrics = MetricsFile(chapter: chapter, options: options, epochs: epochs)
    let tile =
      (kernels as? TiledKernels).map { ", GEMM tile \($0.tile) on \(VectorISA.usable)" } ?? ""
    print(
      "\(chapter): \(train.count) training and \(test.count) test images from \(directory.path)"
        + "\(options.quick ? " (--quick subset)" : ""); seed \(options.seed);"
        + " kernels \(kernels.name) with \(options.threadCount) thread(s)\(tile);"
        + " output \(folder.url.path)")
  }

  /// What a checkpoint must share with the run that resumes it: anything that changes a number.
  /// (Not the thread count: the tiled kernels give the same bits on any number of threads.)
  static func identity(
    _ chapter: String, _ options: ChapterOptions, _ kernels: any KernelSet, _ data: URL
  ) -> [(String, String)] {
    let tile = (kernels as? TiledKernels).map { "\($0.tile)" } ?? "none"
    return [
      ("chapter", chapter), ("seed", String(options.seed)), ("quick", String(options.quick)),
      ("batch_size", String(options.batchSize)), ("kernels", kernels.name), ("tile", tile),
      ("epochs_flag", options.epochs.map(String.init) ?? "default"),
      ("learning_rate_flag", options.learningRate.map { "\($0)" } ?? "default"),
      ("latent_flag", options.latent.map(String.init) ?? "default"),
      ("data", data.standardizedFileURL.path),
    ]
  }

  /// The command that resumes this run: the same program and flags, with `--resume`, e.g.
  /// `swift run -c release vanilla --quick --resume`.
  static func resumeCommand() -> String {
    let arguments = CommandLine.arguments
    let product = URL(fileURLWithPath: arguments.first ?? "chapter").lastPathComponent
    var flags = Array(arguments.dropFirst())
    if !flags.contains("--resume") { flags.append("--resume") }
    let quoted = flags.map { flag in
      flag.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,".contains($0) }
        ? flag : "'" + flag.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    return (["swift", "run", "-c", "release", product] + quoted).joined(separator: " ")
  }

  /// Writes an image grid as `<name>.png`.
  public func save(_ grid: ImageGrid, as name: String, caption: String) throws {
    let url = folder.file(name + ".png")
    try grid.render().write(to: url)
    note(url, caption)
  }

  /// Writes a plot's gnuplot script and data as `<name>.gp` / `<name>*.dat`, and renders
  /// `<name>.png` with gnuplot unless `--no-plots` was given or gnuplot is missing.
  public func save(_ plot: some Plot, as name: String, caption: String) throws {
    if options.plots, let png = try plot.render(named: name, in: folder.url) {
      note(png, caption)
    } else {
      let script = try plot.script(named: name).write(in: folder.url)
      note(script, caption + " (gnuplot script; run `gnuplot \(name).gp` in the folder to draw it)")
    }
  }

  private func note(_ url: URL, _ caption: String) {
    print("  wrote \(url.lastPathComponent): \(caption)")
  }

  /// Records timing and memory, writes metrics.json and prints the numbers as a table.
  public func finish(epochSeconds: [Double]) throws {
    metrics.finish(wallClock: wallClock, epochSeconds: epochSeconds)
    let url = try metrics.write(to: folder)
    print("")
    metrics.printTable()
    print("\nwrote \(url.path)")
  }
}
