import Figures
import Foundation
import Testing

/// Chapter 2 run as a learner runs it, with --quick (2,048 training and 512 test images, 2 epochs,
/// the sweep 2 epochs too).
@Suite("Chapter 2: denoising", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct DenoisingChapterTests {
  static let plots = ["psnr-by-level", "mismatch", "loss"]

  @Test func quickRunWritesEveryPromisedFileAndLearns() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("denoising")
    let result = try ChapterProcess.run(
      "denoising", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    // denoised.png: 3 corruptions x 6 rows (clean, noisy, DAE, clean AE, median, PCA) of 12
    // images at 3x (84 pixels), an 8-pixel colour strip per row, 2-pixel gaps around every tile
    // and the strip.
    let grid = try PNGImage.read(from: out.appendingPathComponent("denoised.png"))
    #expect(grid.height == 18 * 84 + 19 * 2, "denoised.png is \(grid.width)x\(grid.height)")
    #expect(grid.width == 8 + 12 * 84 + 14 * 2, "denoised.png is \(grid.width)x\(grid.height)")
    let filters = try PNGImage.read(from: out.appendingPathComponent("filters.png"))
    #expect(filters.width > filters.height, "filters.png should hold two grids side by side")
    try expectPlots(Self.plots, in: out)

    let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(json["chapter"] as? String == "denoising")
    let results = try #require(json["results"] as? [String: Any])
    func number(_ key: String) throws -> Double {
      try #require(results[key] as? Double, "missing \(key)")
    }
    for key in [
      "psnr_noisy_db", "psnr_denoised_db", "psnr_median_filter_db", "psnr_clean_ae_db",
      "psnr_pca_db", "psnr_gaussian_blur_db", "psnr_clean_ae_on_clean_db",
    ] {
      let value = try number(key)
      #expect(value > 5 && value < 40, "\(key) = \(value)")
    }
    for key in ["ssim_noisy", "ssim_denoised"] {
      let value = try number(key)
      #expect(value > 0 && value <= 1, "\(key) = \(value)")
    }
    for key in ["probe_accuracy_dae", "probe_accuracy_ae", "probe_accuracy_pca"] {
      let value = try number(key)
      #expect(value > 0.1 && value <= 1, "\(key) = \(value) is no better than chance")
    }
    // Even two epochs on 2,048 images beat the noisy input at σ = 0.3.
    #expect(try number("psnr_denoised_db") > number("psnr_noisy_db"))

    // Every corruption x level x method, and the 3x3 mismatch matrix.
    let table = try #require(results["by_corruption"] as? [String: [String: [String: Any]]])
    #expect(Set(table.keys) == ["gaussian", "masking", "salt_and_pepper"])
    #expect(Set(table["gaussian"]!.keys) == ["0.1", "0.3", "0.5"])
    for (kind, levels) in table {
      #expect(levels.count == 3, "\(kind)")
      for (level, methods) in levels {
        for method in ["noisy", "dae", "clean_ae", "median_filter", "gaussian_blur", "pca"] {
          let scores = try #require(
            methods[method] as? [String: Double], "\(kind) \(level) \(method)")
          #expect(scores["psnr_db"] != nil && scores["ssim"] != nil)
        }
      }
    }
    let mismatch = try #require(results["mismatch"] as? [String: Any])
    let matrix = try #require(mismatch["psnr_db"] as? [[Double]])
    #expect(matrix.count == 3 && matrix.allSatisfy { $0.count == 3 })

    // The models, under the same keys as every chapter's.
    let models = try #require(results["models"] as? [String: [String: Any]])
    #expect(models.count == 2 + 9)
    let dae = try #require(models["dae"])
    let train = try #require(dae["mse_per_epoch"] as? [Double])
    #expect(train.count == 2 && train[1] < train[0], "training loss did not decrease: \(train)")
    #expect((dae["test_mse_per_epoch"] as? [Double])?.count == 2)
    #expect(result.standardOutput.contains("Mismatch"))
  }

  @Test func sameSeedSameNumbers() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let runs = try ChapterProcess.resultsOfTwoQuickRuns("denoising", scratch: tmp.url)
    for key in ["psnr_noisy_db", "psnr_denoised_db", "psnr_gaussian_blur_db", "probe_accuracy_dae"]
    {
      #expect(runs[0][key] as? Double == runs[1][key] as? Double, "\(key) differs between runs")
    }
  }

  @Test func aBadFlagIsRefusedWithTheUsage() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let result = try ChapterProcess.run("denoising", ["--full-sweeep"], scratch: tmp.url)
    #expect(result.status != 0)
    #expect(result.standardError.contains("--full-sweeep"), "\(result.standardError)")
  }
}
