import Figures
import Foundation
import Testing

/// Chapter 3 run as a learner runs it, with --quick (2,048 training and 512 test images, 2 epochs).
@Suite("Chapter 3: sparse", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct SparseChapterTests {
  @Test func quickRunWritesEveryPromisedFileAndMeasuresEveryModel() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("sparse")
    let result = try ChapterProcess.run(
      "sparse", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    for name in ["filters.png", "reconstructions.png", "parts.png"] {
      let image = try PNGImage.read(from: out.appendingPathComponent(name))
      #expect(image.width > 28 && image.height > 28, "\(name) is \(image.width)x\(image.height)")
    }
    // reconstructions.png: test images and 4 models, 12 images per row at 3x, 2-pixel gaps.
    let grid = try PNGImage.read(from: out.appendingPathComponent("reconstructions.png"))
    #expect(grid.width == 12 * 84 + 13 * 2 && grid.height == 5 * 84 + 6 * 2)
    try expectPlots(["activations", "tradeoff", "loss"], in: out)

    let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let results = try #require(json["results"] as? [String: Any])
    let models = try #require(results["models"] as? [String: [String: Any]])
    #expect(Set(models.keys) == ["dense", "l1", "kl", "ksparse"])
    for (name, model) in models {
      for key in [
        "test_mse_per_pixel", "population_sparsity", "noise_correlation", "probe_accuracy",
      ] {
        #expect(model[key] as? Double != nil, "models.\(name).\(key) is missing")
      }
      let dead = try #require(model["dead_units"] as? Int, "models.\(name).dead_units")
      #expect(dead >= 0 && dead <= 1024)
      let mse = try #require(model["test_mse_per_pixel"] as? Double)
      #expect(mse > 0 && mse < 0.2, "\(name): test MSE \(mse)")
    }
    // k-sparse keeps exactly 25 of 1024 units per image: 97.6% are 0.
    let ksparse = try #require(models["ksparse"]?["population_sparsity"] as? Double)
    #expect(ksparse >= 1 - 25.0 / 1024 - 1e-9)
    let kl = try #require(models["kl"])
    #expect(kl["rho"] as? Double != nil)
    let within = try #require(kl["units_within_25_percent_of_rho"] as? Double)
    #expect(within >= 0 && within <= 1)
    let training = try #require(kl["training"] as? [String: Any])
    let loss = try #require(training["loss_per_epoch"] as? [Double])
    #expect(loss.count == 2 && loss[1] < loss[0], "KL model's loss did not decrease: \(loss)")

    let sweep = try #require(results["sweep"] as? [String: [[String: Double]]])
    #expect(sweep["l1"]?.count == 5 && sweep["kl"]?.count == 5 && sweep["ksparse"]?.count == 3)
  }
}
