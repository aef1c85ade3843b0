import Figures
import Foundation
import Testing

/// Chapter 5 run as a learner runs it, with --quick (2,048 training and 512 test images, 2 epochs).
@Suite("Chapter 5: variational", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct VariationalChapterTests {
  @Test func quickRunWritesEveryPromisedFileAndBoundsThatHold() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("vae")
    let result = try ChapterProcess.run("vae", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    // Image grids, read back with libpng: 28-pixel tiles at scale 3 (84) with 2-pixel gaps.
    let samples = try PNGImage.read(from: out.appendingPathComponent("samples.png"))
    #expect(samples.width == 8 * 84 + 9 * 2 && samples.height == 8 * 84 + 9 * 2)
    // The two 20 x 20 manifolds at scale 2 (56-pixel tiles) with no gaps, one blank tile apart.
    let manifold = try PNGImage.read(from: out.appendingPathComponent("manifold.png"))
    #expect(manifold.height == 20 * 56 && manifold.width == 41 * 56)
    let interpolation = try PNGImage.read(from: out.appendingPathComponent("interpolation.png"))
    #expect(interpolation.height == 8 * 84 + 9 * 2)
    let reconstructions = try PNGImage.read(from: out.appendingPathComponent("reconstructions.png"))
    #expect(reconstructions.height == 5 * 84 + 6 * 2)
    let betaSamples = try PNGImage.read(from: out.appendingPathComponent("beta-samples.png"))
    #expect(betaSamples.height == 6 * 84 + 7 * 2)
    try expectPlots(["latent2d", "beta", "collapse", "loss"], in: out)

    let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let results = try #require(json["results"] as? [String: Any])
    // −ELBO is its two parts' sum, and the KL is positive.
    let loss = try #require(results["test_loss_nats_per_image"] as? Double)
    let reconstruction = try #require(results["test_reconstruction_nats"] as? Double)
    let kl = try #require(results["test_kl_nats"] as? Double)
    #expect(abs(loss - (reconstruction + kl)) < 1e-6 * loss)
    #expect(kl > 0 && reconstruction > 0)
    // The reconstruction cannot beat the grey targets' entropy floor.
    let floor = try #require(results["entropy_floor_nats"] as? Double)
    #expect(reconstruction > floor)
    let active = try #require(results["active_units"] as? Int)
    #expect(active >= 0 && active <= 20)
    // The importance-weighted bound: one per k, and it tightens (falls) with k.
    let iwae = try #require(results["iwae_bound_nats"] as? [String: Double])
    #expect(Set(iwae.keys) == ["1", "10", "100"])
    #expect(iwae["100"]! < iwae["10"]! && iwae["10"]! < iwae["1"]!, "\(iwae)")
    // The β rows and the collapse rows.
    let beta = try #require(results["beta"] as? [[String: Any]])
    #expect(beta.count == 5)
    let collapse = try #require(results["collapse"] as? [String: [String: Any]])
    #expect(Set(collapse.keys) == ["beta_1", "beta_8", "annealed", "free_bits", "per_pixel_bug"])
    for (name, row) in collapse {
      #expect(row["active_units"] as? Int != nil, "\(name)")
      #expect((row["kl_per_unit"] as? [Double])?.count == 20, "\(name)")
    }
    // The bug weighs the KL 784 times too much: its KL is the smallest of all.
    let bugKL = try #require(collapse["per_pixel_bug"]?["test_kl_nats"] as? Double)
    let betaOneKL = try #require(collapse["beta_1"]?["test_kl_nats"] as? Double)
    #expect(bugKL < betaOneKL / 10, "bug KL \(bugKL), β = 1 KL \(betaOneKL)")
    let models = try #require(results["models"] as? [String: Any])
    for key in ["vae", "vae_2d", "autoencoder_2d", "pca"] { #expect(models[key] != nil, "\(key)") }
  }

  @Test func sameSeedSameNumbers() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let runs = try ChapterProcess.resultsOfTwoQuickRuns("vae", scratch: tmp.url)
    for key in ["test_loss_nats_per_image", "test_kl_nats", "entropy_floor_nats"] {
      #expect(runs[0][key] as? Double == runs[1][key] as? Double, "\(key) differs between runs")
    }
    #expect(
      runs[0]["iwae_bound_nats"] as? [String: Double] == runs[1]["iwae_bound_nats"]
        as? [String: Double])
  }
}
