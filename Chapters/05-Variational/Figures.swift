import Bottleneck
import Foundation

/// The decoded images p(x|z) for codes z (n, latent): (n, 784).
func decoded(_ model: VariationalAutoencoder, _ z: Tensor) -> Tensor {
  inference { model.decode(Variable(z)).value }
}

/// A tensor of n images as `rows` rows of `n / rows` images each.
func asRows(_ images: Tensor, rows: Int) -> [Tensor] {
  let perRow = images.shape[0] / rows
  return (0..<rows).map { images.rows(($0 * perRow)..<(($0 + 1) * perRow)) }
}

/// Writes the chapter's figures.
func saveFigures(
  run: ChapterRun, vae: VariationalAutoencoder, history: TrainingHistory,
  vae2D: VariationalAutoencoder, ae2D: Autoencoder, means2D: Tensor, codes2D: Tensor, side: Int,
  pca: PCA, sweep: [SweepResult], collapseKeys: [String], epochs: Int, seed: UInt64
) throws {
  var rng = RandomGenerator(seed: seed &+ 8000)
  let labels = run.test.allLabels()
  let latent = vae.latent

  // samples.png: 64 codes from the prior, decoded.
  let prior = Tensor.standardNormal([64, latent], using: &rng)
  try run.save(
    ImageGrid(rows: asRows(decoded(vae, prior), rows: 8)), as: "samples",
    caption: "64 images decoded from z ~ N(0, I) by the \(latent)-d VAE (decoder means)")

  // manifold.png: the 2-D VAE's decoder on the prior's quantile grid, and chapter 1's 2-D
  // autoencoder's on its own codes' quantile grid.
  let vaeGrid = ImageGrid(
    rows: asRows(decoded(vae2D, priorQuantileGrid(side: side)), rows: side), scale: 2, gap: 0)
  let aeImages = inference {
    ae2D.decoder(Variable(empiricalQuantileGrid(codes2D, side: side))).value
  }
  let aeGrid = ImageGrid(rows: asRows(aeImages, rows: side), scale: 2, gap: 0)
  try run.save(
    ImageGrid.sideBySide(vaeGrid, aeGrid, separation: 1), as: "manifold",
    caption: "left: 2-D VAE decoded at z = Φ⁻¹ of \(side) evenly spaced quantiles per axis;"
      + " right: chapter 1's 2-D autoencoder at its codes' quantiles")

  // latent2d.png
  try run.save(
    ScatterPlot(
      title: "10,000 test images in two dimensions (colour = class, never seen in training)",
      panels: [
        .init(
          title: "VAE 2-d: posterior means μ(x)", xLabel: "z1", yLabel: "z2", points: means2D,
          labels: labels),
        .init(
          title: "chapter 1's autoencoder 2-d: codes", xLabel: "z1", yLabel: "z2", points: codes2D,
          labels: labels),
      ], classNames: run.test.classNames), as: "latent2d",
    caption: "2-D codes: VAE means (left) vs a plain autoencoder (right)")

  // interpolation.png: pairs of test images of different classes, through the VAE's latent
  // space (decoded along the line between their means) and in pixel space (a blend).
  let pairs = [(0, 1), (7, 9), (2, 8), (5, 3)].map { a, b in
    (labels.firstIndex(of: a) ?? 0, labels.firstIndex(of: b) ?? 1)
  }
  var rows: [Tensor] = []
  var colors: [RGB] = []
  for (a, b) in pairs {
    let images = run.test.batch([a, b])
    let means = inference { vae.encode(Variable(images)).mean.value }
    rows.append(decoded(vae, linePath(from: means.rows(0..<1), to: means.rows(1..<2), steps: 10)))
    rows.append(linePath(from: images.rows(0..<1), to: images.rows(1..<2), steps: 10))
    colors += [RGB(hex: 0x1F77B4), RGB(hex: 0xBBBBBB)]
  }
  try run.save(
    ImageGrid(rows: rows, rowColors: colors), as: "interpolation",
    caption: "for each pair: decoded along the line between the VAE's means (blue strip),"
      + " then the pixel-space blend (grey strip)")

  // reconstructions.png
  let shown = (0..<10).map { c in labels.firstIndex(of: c) ?? 0 } + [10, 11]
  let originals = run.test.batch(shown)
  let sampled = inference { () -> Tensor in
    let (mean, logVariance) = vae.encode(Variable(originals))
    let noise = Tensor.standardNormal(mean.shape, using: &rng)
    return vae.decode(vae.reparameterize(mean: mean, logVariance: logVariance, noise: noise)).value
  }
  try run.save(
    ImageGrid(
      rows: inference {
        [
          originals, vae(Variable(originals)).value, sampled, vae2D(Variable(originals)).value,
          pca.decode(pca.encode(originals)),
        ]
      }), as: "reconstructions",
    caption: "rows: test images; VAE-\(latent) at z = μ; VAE-\(latent) at one z ~ q(z|x);"
      + " VAE-2 at z = μ; PCA-\(latent)")

  // beta.png: rate against distortion.
  let betas = sweep.filter { $0.key.hasPrefix("beta_") }
  try run.save(
    LinePlot(
      title: "β-VAE: rate against distortion (test set, nats per image)",
      xLabel: "rate: KL(q(z|x) ‖ p(z))", yLabel: "distortion: E_q[−log p(x|z)]",
      series: [
        .init("β sweep", x: betas.map(\.evaluation.kl), y: betas.map(\.evaluation.reconstruction))
      ]
        + betas.map { .init($0.title, x: [$0.evaluation.kl], y: [$0.evaluation.reconstruction]) }),
    as: "beta", caption: "one point per β; up and to the left is a stronger pull to the prior")

  // beta-samples.png: the same 12 prior codes through each sweep model.
  let shared = Tensor.standardNormal([12, latent], using: &rng)
  let sampleRows = sweep.filter { $0.key.hasPrefix("beta_") || $0.key == "per_pixel_bug" }
  try run.save(
    ImageGrid(rows: sampleRows.map { decoded($0.model, shared) }), as: "beta-samples",
    caption: "rows: " + sampleRows.map(\.title).joined(separator: "; ")
      + " (the same 12 codes z ~ N(0, I) in every row)")

  // collapse.png: each unit's KL and the variance of its mean, units sorted.
  let collapse = collapseKeys.compactMap { key in sweep.first { $0.key == key } }
  let ranks = (1...latent).map(Double.init)
  try run.save(
    PanelPlot(
      title: "Posterior collapse: what each latent unit carries (test set, units sorted)",
      panels: [
        LinePlot(
          title: "KL of each unit (nats)", xLabel: "unit, by rank", yLabel: "KL_u",
          series: collapse.map {
            .init($0.title, x: ranks, y: $0.evaluation.klPerUnit.sorted(by: >))
          }),
        LinePlot(
          title: "activity Var_x(μ_u(x)); active above 0.01", xLabel: "unit, by rank",
          yLabel: "Var(μ_u)",
          series: collapse.map {
            .init(
              $0.title, x: ranks,
              y: $0.evaluation.activeUnits.variances.sorted(by: >).map { max($0, 1e-6) })
          } + [.init("threshold 0.01", x: [1, Double(latent)], y: [0.01, 0.01])],
          logScaleY: true),
      ]), as: "collapse",
    caption: "per-unit KL and activity for β = 1, β = 8, the two cures and the per-pixel bug")

  // loss.png: both terms per epoch, train and test.
  let epochAxis = (1...epochs).map(Double.init)
  try run.save(
    PanelPlot(
      title: "VAE-\(latent): −ELBO's two terms per epoch (nats per image)",
      panels: [
        LinePlot(
          title: "reconstruction E_q[−log p(x|z)]", xLabel: "epoch", yLabel: "nats",
          series: [
            .init("train", x: epochAxis, y: history["reconstruction"]),
            .init("test", x: epochAxis, y: history["test_reconstruction"]),
          ]),
        LinePlot(
          title: "KL(q(z|x) ‖ N(0, I))", xLabel: "epoch", yLabel: "nats",
          series: [
            .init("train", x: epochAxis, y: history["kl"]),
            .init("test", x: epochAxis, y: history["test_kl"]),
          ]),
        LinePlot(
          title: "active units (of \(latent))", xLabel: "epoch", yLabel: "units",
          series: [.init("test", x: epochAxis, y: history["active_units"])]),
      ]), as: "loss",
    caption: "train (mean over the epoch) and test (after it) reconstruction, KL and active units")
}
