import Figures
import Foundation
import Testing

/// Chapter 1 run as a learner runs it, with --quick (a 2,048-image subset, 2 epochs).
@Suite("Chapter 1: vanilla", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct VanillaChapterTests {
  /// The files the chapter promises, with their pixel sizes where they are fixed.
  static let grids = ["reconstructions.png", "overcomplete.png", "filters.png"]
  static let plots = ["loss", "latent2d"]

  private func metrics(in folder: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent("metrics.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func quickRunWritesEveryPromisedFileAndLearns() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("vanilla")
    let result = try ChapterProcess.run(
      "vanilla", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    for name in Self.grids {
      let image = try PNGImage.read(from: out.appendingPathComponent(name))
      #expect(image.width > 28 && image.height > 28, "\(name) is \(image.width)x\(image.height)")
    }
    try expectPlots(Self.plots, in: out)
    // The reconstructions grid: 5 rows of 12 images at 3x with 2-pixel gaps.
    let grid = try PNGImage.read(from: out.appendingPathComponent("reconstructions.png"))
    #expect(grid.width == 12 * 84 + 13 * 2 && grid.height == 5 * 84 + 6 * 2)

    let json = try metrics(in: out)
    #expect(json["chapter"] as? String == "vanilla")
    #expect(json["kernels"] as? String == "tiled")
    let results = try #require(json["results"] as? [String: Any])
    for key in [
      "test_mse_per_pixel", "pca_test_mse_per_pixel", "linear_ae_test_mse_per_pixel",
    ] {
      let value = try #require(results[key] as? Double, "missing \(key)")
      #expect(value > 0 && value < 0.2, "\(key) = \(value)")
    }
    #expect((json["seconds_per_epoch_median"] as? Double ?? 0) > 0)
    let trainLoss = try #require(results["train_mse_per_epoch"] as? [Double])
    #expect(trainLoss.count == 2)
    #expect(trainLoss[1] < trainLoss[0], "training loss did not decrease: \(trainLoss)")
    // What it printed includes the numbers it wrote.
    #expect(result.standardOutput.contains("test_mse_per_pixel"))
  }

  @Test func sameSeedSameNumbers() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let runs = try ChapterProcess.resultsOfTwoQuickRuns("vanilla", scratch: tmp.url)
    for key in [
      "test_mse_per_pixel", "linear_ae_test_mse_per_pixel", "noise_correlation_overcomplete",
    ] {
      #expect(runs[0][key] as? Double == runs[1][key] as? Double, "\(key) differs between runs")
    }
  }

  @Test func aMissingDatasetIsAClearErrorWithTheFix() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let result = try ChapterProcess.run(
      "vanilla",
      [
        "--quick", "--data-dir", tmp.url.appendingPathComponent("nowhere").path,
        "--output", tmp.url.appendingPathComponent("out").path,
      ],
      scratch: tmp.url)
    #expect(result.status != 0)
    #expect(result.standardError.contains("dataset-fashion-mnist"), "\(result.standardError)")
    #expect(!result.standardError.contains("Backtrace"))
  }

  @Test func anUnknownKernelSetAndABadOutputFolderAreRefused() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let bad = try ChapterProcess.run("vanilla", ["--kernels", "fast"], scratch: tmp.url)
    #expect(bad.status != 0)
    #expect(bad.standardError.contains("naive") && bad.standardError.contains("tiled"))

    let file = tmp.url.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let blocked = try ChapterProcess.run(
      "vanilla", ["--quick", "--output", file.appendingPathComponent("out").path], scratch: tmp.url)
    #expect(blocked.status != 0)
    #expect(blocked.standardError.contains("a-file"), "\(blocked.standardError)")
  }

  @Test func aDivergingRunStopsWithAClearError() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("out")
    let result = try ChapterProcess.run(
      "vanilla",
      ["--quick", "--no-plots", "--epochs", "1", "--learning-rate", "1e30", "--output", out.path],
      scratch: tmp.url)
    #expect(result.status != 0)
    #expect(result.standardError.contains("--learning-rate"), "\(result.standardError)")
    #expect(!result.standardError.contains("Backtrace"))
    // Nothing half-written: the run stopped before metrics.json.
    #expect(
      !FileManager.default.fileExists(atPath: out.appendingPathComponent("metrics.json").path))
  }
}
