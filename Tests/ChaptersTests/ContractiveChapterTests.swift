import Figures
import Foundation
import Testing

/// Chapter 4 run as a learner runs it, with --quick (2,048 training and 512 test images, 2 epochs).
@Suite("Chapter 4: contractive", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct ContractiveChapterTests {
  @Test func quickRunWritesEveryPromisedFileAndMeasuresEveryModel() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("contractive")
    let result = try ChapterProcess.run(
      "contractive", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    // tangents.png: 3 images x 2 models = 6 rows of 7 tiles (the image and 6 directions).
    let tangents = try PNGImage.read(from: out.appendingPathComponent("tangents.png"))
    #expect(
      tangents.height == 6 * 84 + 7 * 2, "tangents.png is \(tangents.width)x\(tangents.height)")
    let grid = try PNGImage.read(from: out.appendingPathComponent("reconstructions.png"))
    #expect(grid.width == 12 * 84 + 13 * 2 && grid.height == 4 * 84 + 5 * 2)
    try expectPlots(["singular-values", "contraction", "loss"], in: out)

    let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let results = try #require(json["results"] as? [String: Any])
    let models = try #require(results["models"] as? [String: [String: Any]])
    #expect(Set(models.keys) == ["ae", "dae", "cae"])
    for (name, model) in models {
      let jacobian = try #require(model["jacobian_frobenius_mean"] as? Double, "\(name)")
      #expect(jacobian > 0 && jacobian.isFinite)
      #expect(model["test_mse_per_pixel"] as? Double != nil)
      #expect(model["singular_values_above_10_percent"] as? Double != nil)
      let ratios = try #require(model["perturbation_ratio"] as? [String: Double], "\(name)")
      #expect(ratios.count == 3)
    }
    // The penalty does what it says, even in a smoke run: the CAE's Jacobian is the smallest.
    let cae = try #require(models["cae"]?["jacobian_frobenius_mean"] as? Double)
    let ae = try #require(models["ae"]?["jacobian_frobenius_mean"] as? Double)
    #expect(cae < ae, "CAE ‖J‖ \(cae) is not below the AE's \(ae)")
    // The closed form and reverse mode agree.
    let check = try #require(results["jacobian_closed_form_vs_reverse_mode"] as? [String: Double])
    let closed = try #require(check["closed_form"])
    let reverse = try #require(check["reverse_mode"])
    #expect(abs(closed - reverse) <= 1e-4 * closed, "\(closed) vs \(reverse)")
    let sweep = try #require(results["sweep"] as? [String: [[String: Double]]])
    #expect(sweep["cae"]?.count == 5 && sweep["dae"]?.count == 3 && sweep["ae"]?.count == 1)
  }
}
