import Bottleneck

// The bookkeeping behind chapter 2's tables: a denoiser is a name and a function from a batch of
// noisy test images to a batch of cleaned ones; a score is its mean PSNR and SSIM against the
// clean images. (The lesson itself is in main.swift.)

/// A way of cleaning up noisy images: the noisy input itself, a network, a filter, PCA.
struct Denoiser {
  /// The metrics.json key ("dae", "median_filter", ...).
  let key: String
  /// The name in printed tables.
  let title: String
  /// Maps noisy images (n, 784) to denoised ones (n, 784).
  let apply: (Tensor) -> Tensor

  /// An autoencoder run in inference mode, 1,000 images at a time.
  static func network(_ key: String, _ title: String, _ model: Autoencoder) -> Denoiser {
    Denoiser(key: key, title: title) { noisy in inferenceInBlocks(noisy) { model($0) } }
  }
}

/// Mean PSNR (dB, peak 1) and mean SSIM over a set of images.
struct Score {
  let psnr: Double
  let ssim: Double

  init(clean: Tensor, output: Tensor) {
    psnr = meanPSNR(clean, output)
    ssim = meanSSIM(clean, output, rows: 28, cols: 28)
  }

  var metrics: MetricValue { ["psnr_db": MetricValue(psnr), "ssim": MetricValue(ssim)] }
}

/// Prints one table of scores: a title line, then `method   PSNR   SSIM` rows.
func printScores(_ title: String, _ rows: [(String, Score)]) {
  let width = max(28, rows.map(\.0.count).max() ?? 0)
  print("\n\(title)")
  print(
    "  " + "method".padding(toLength: width, withPad: " ", startingAt: 0) + "  PSNR (dB)   SSIM")
  for (name, score) in rows {
    print(
      "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
        + "  " + Format.fixed(score.psnr, digits: 2).leftPadded(to: 9)
        + "   " + Format.fixed(score.ssim, digits: 3))
  }
}
