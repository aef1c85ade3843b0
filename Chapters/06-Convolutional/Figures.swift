import Bottleneck
import Foundation

/// Each (side × side) map of `maps` (channels, side, side), scaled to [0, 1] by its own largest
/// value and enlarged to 28 × 28 by repeating pixels, as rows of `perRow` images.
func featureMapRows(_ maps: Tensor, perRow: Int) -> [[[Float]]] {
  let (channels, side) = (maps.shape[0], maps.shape[1])
  let factor = 28 / side
  let images = (0..<channels).map { c -> [Float] in
    let plane = Array(maps.scalars[(c * side * side)..<((c + 1) * side * side)])
    let top = max(plane.max() ?? 0, 1e-6)
    return (0..<(28 * 28)).map { p in
      let (row, column) = (min(side - 1, (p / 28) / factor), min(side - 1, (p % 28) / factor))
      return plane[row * side + column] / top
    }
  }
  return stride(from: 0, to: channels, by: perRow).map {
    Array(images[$0..<min($0 + perRow, channels)])
  }
}

/// Writes the chapter's figures.
func saveFigures(
  run: ChapterRun, results: [AutoencoderResult], noise: Tensor, conv: VariationalAutoencoder,
  convHistory: TrainingHistory, mlpHistory: TrainingHistory, seed: UInt64
) throws {
  let labels = run.test.allLabels()
  let shown = (0..<10).map { c in labels.firstIndex(of: c) ?? 0 } + [10, 11]
  let originals = run.test.batch(shown)
  let titles = results.map(\.title).joined(separator: "; ")

  // reconstructions.png and copying.png
  try run.save(
    ImageGrid(
      rows: inference { [originals] + results.map { $0.model(Variable(originals)).value } }),
    as: "reconstructions", caption: "rows: test images; " + titles)
  try run.save(
    ImageGrid(rows: inference { [noise] + results.map { $0.model(Variable(noise)).value } }),
    as: "copying", caption: "rows: uniform noise; what each model makes of it: " + titles)

  // samples.png: the conv VAE's decoder on 64 codes from the prior.
  var rng = RandomGenerator(seed: seed &+ 8000)
  let prior = Tensor.standardNormal([64, conv.latent], using: &rng)
  let samples = inference { conv.decode(Variable(prior)).value }
  try run.save(
    ImageGrid(rows: (0..<8).map { samples.rows(($0 * 8)..<(($0 + 1) * 8)) }), as: "samples",
    caption: "64 images decoded from z ~ N(0, I) by the conv VAE")

  // filters.png: the bottleneck conv AE's 32 first-layer 3 × 3 kernels.
  let bottleneck = results.first { $0.key == "conv32" }!.model
  let layers = (bottleneck.encoder as! Sequential).layers
  let first = (layers[1] as! Conv2D).weight.value  // (32, 1, 3, 3)
  try run.save(
    ImageGrid.filters(
      first.reshaped([first.shape[0], 9]), columns: 8, imageWidth: 3, imageHeight: 3,
      sharedScale: false, scale: 24, gap: 4),
    as: "filters", caption: "the conv AE's 32 first-layer 3x3 kernels (red positive, blue negative)"
  )

  // feature-maps.png: one test image through the encoder's two conv layers.
  let image = Variable(run.test.batch([shown[0]]))
  let (afterFirst, afterSecond) = inference { () -> (Tensor, Tensor) in
    let one = Sequential(Array(layers[0..<3]))(image).value  // (1, 32, 14, 14)
    let two = Sequential(Array(layers[3..<5]))(Variable(one)).value  // (1, 64, 7, 7)
    return (one.reshaped([32, 14, 14]), two.reshaped([64, 7, 7]))
  }
  let mapRows =
    [[Array(image.value.scalars)]] + featureMapRows(afterFirst, perRow: 16)
    + featureMapRows(afterSecond, perRow: 16)
  try run.save(
    ImageGrid(rows: mapRows), as: "feature-maps",
    caption: "a test image; its 32 feature maps after conv 1 (14x14, rows 2–3); its 64 after conv 2"
      + " (7x7, rows 4–7), each scaled to its own maximum")

  // loss.png (short names, so that the legend fits beside the lines)
  let shortNames = ["seed_conv": "seed conv AE", "conv32": "conv AE-32", "mlp32": "MLP AE-32"]
  let autoencoderPanel = LinePlot(
    title: "autoencoders: test MSE per pixel (log scale)", xLabel: "epoch", yLabel: "MSE",
    series: results.map { r in
      .init(
        shortNames[r.key] ?? r.key, x: (1...r.history.epochSeconds.count).map(Double.init),
        y: r.history["test_mse"])
    }, logScaleY: true, key: .bottomRight)
  let vaePanel = LinePlot(
    title: "VAEs: test −ELBO (nats per image)", xLabel: "epoch", yLabel: "nats",
    series: [("conv VAE", convHistory), ("MLP VAE", mlpHistory)].map { title, h in
      .init(title, x: (1...h.epochSeconds.count).map(Double.init), y: h["test_loss"])
    })
  try run.save(
    PanelPlot(
      title: "Chapter 6: test loss per epoch", panels: [autoencoderPanel, vaePanel],
      legend: .perPanel),
    as: "loss", caption: "test MSE of the three autoencoders; test −ELBO of the two VAEs")
}
