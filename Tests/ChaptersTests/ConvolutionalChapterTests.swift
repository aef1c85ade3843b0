import Figures
import Foundation
import Testing

/// Chapter 6 run as a learner runs it, with --quick (2,048 training and 512 test images, 2 epochs).
@Suite(
  "Chapter 6: convolutional", .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct ConvolutionalChapterTests {
  @Test func quickRunWritesEveryPromisedFileAndTheSeedModelCopies() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("conv")
    let result = try ChapterProcess.run(
      "conv", ["--quick", "--output", out.path], scratch: tmp.url)
    #expect(result.status == 0, "stderr: \(result.standardError)")

    // 28-pixel tiles at scale 3 (84) with 2-pixel gaps, read back with libpng.
    let reconstructions = try PNGImage.read(from: out.appendingPathComponent("reconstructions.png"))
    #expect(reconstructions.width == 12 * 84 + 13 * 2 && reconstructions.height == 4 * 84 + 5 * 2)
    let copying = try PNGImage.read(from: out.appendingPathComponent("copying.png"))
    #expect(copying.height == 4 * 84 + 5 * 2)
    let samples = try PNGImage.read(from: out.appendingPathComponent("samples.png"))
    #expect(samples.width == 8 * 84 + 9 * 2 && samples.height == samples.width)
    // The image, 32 maps in 2 rows of 16, 64 maps in 4 rows of 16.
    let maps = try PNGImage.read(from: out.appendingPathComponent("feature-maps.png"))
    #expect(maps.height == 7 * 84 + 8 * 2 && maps.width == 16 * 84 + 17 * 2)
    // 32 kernels of 3x3 at scale 24 with 4-pixel gaps, 8 per row.
    let filters = try PNGImage.read(from: out.appendingPathComponent("filters.png"))
    #expect(filters.width == 8 * 72 + 9 * 4 && filters.height == 4 * 72 + 5 * 4)
    try expectPlots(["loss"], in: out)

    let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let results = try #require(json["results"] as? [String: Any])
    #expect(results["seed_conv_code_size"] as? Int == 3136)
    for key in [
      "seed_conv_test_mse_per_pixel", "conv32_test_mse_per_pixel", "mlp32_test_mse_per_pixel",
      "conv_vae_test_loss_nats_per_image", "seed_conv_seconds_per_epoch",
      "conv32_seconds_per_epoch",
      "mlp32_seconds_per_epoch", "conv_vae_seconds_per_epoch",
    ] {
      let value = try #require(results[key] as? Double, "\(key)")
      #expect(value > 0 && value.isFinite, "\(key) = \(value)")
    }
    #expect(results["seed_conv_parameters"] as? Int == 37_569)
    #expect(results["conv32_parameters"] as? Int == 241_441)
    #expect(results["conv_vae_parameters"] as? Int == 877_545)
    // The seed model's wide code passes noise through: chapter 1's copying test, even after a
    // smoke run's training, correlates far more than the bottleneck model's.
    let seed = try #require(results["seed_conv_noise_correlation"] as? Double)
    let bottleneck = try #require(results["conv32_noise_correlation"] as? Double)
    #expect(seed > 0.1 && seed > 5 * bottleneck, "seed \(seed), bottleneck \(bottleneck)")
  }
}
