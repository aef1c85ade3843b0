import Bottleneck

/// Writes the chapter's figures.
func saveFigures(
  run: ChapterRun, specs: [(key: String, title: String)], models: [String: SigmoidAutoencoder],
  histories: [String: TrainingHistory], reports: [String: ContractionReport],
  sweep: [String: [(setting: Double, mse: Double, jacobian: Double)]], epochs: Int
) throws {
  let testLabels = run.test.allLabels()
  let shown = (0..<10).map { c in testLabels.firstIndex(of: c) ?? 0 } + [10, 11]
  let originals = run.test.batch(shown)

  // tangents.png: for three test images, the image and the top 6 right-singular vectors of J,
  // one row per (image, model): what the code still feels.
  var rows: [[PNGImage]] = []
  var colors: [RGB] = []
  for (i, index) in [shown[0], shown[1], shown[9]].enumerated() {
    let image = run.test.batch([index])
    for key in ["ae", "cae"] {
      let directions = topRightSingularVectors(models[key]!.jacobian(at: image), count: 6)
      rows.append(
        [PNGImage(grey: image.scalars, width: 28, height: 28)]
          + directions.map { PNGImage(weights: $0.vector.map(Float.init), width: 28, height: 28) })
      colors.append(ColorMap.classColor(i))
    }
  }
  try run.save(
    ImageGrid(rows: rows, background: RGB(grey: 96), rowColors: colors), as: "tangents",
    caption: "three test images, each with the top 6 right-singular vectors of J:"
      + " plain AE (upper row), CAE (lower row)")

  // singular-values.png: the mean spectrum at 30 test images.
  try run.save(
    LinePlot(
      title: "Singular values of the encoder's Jacobian (mean over 30 test images)",
      xLabel: "index (largest first)", yLabel: "singular value",
      series: specs.map { spec in
        let values = reports[spec.key]!.spectrum
        return .init(spec.title, x: (1...values.count).map(Double.init), y: values)
      }, logScaleY: true, showPoints: false), as: "singular-values",
    caption: "the Jacobian's singular values, largest first, for each model")

  // contraction.png: mean ‖J‖_F against test MSE.
  let names = ["ae": "plain AE", "cae": "CAE (λ sweep)", "dae": "DAE (σ = 0.05, 0.1, 0.2)"]
  try run.save(
    LinePlot(
      title: "Sensitivity against reconstruction error (the sweep's models)",
      xLabel: "test MSE per pixel", yLabel: "mean Frobenius norm of the Jacobian, test images",
      series: ["ae", "cae", "dae"].map { key in
        let points = sweep[key]!.sorted { $0.mse < $1.mse }
        return .init(names[key]!, x: points.map(\.mse), y: points.map(\.jacobian))
      }, showPoints: true), as: "contraction",
    caption: "mean Jacobian norm against test MSE: CAE λ sweep, DAE σ points, plain AE")

  // reconstructions.png
  let grid = inference { [originals] + specs.map { models[$0.key]!(Variable(originals)).value } }
  try run.save(
    ImageGrid(rows: grid), as: "reconstructions",
    caption: "rows: test images; " + specs.map(\.title).joined(separator: "; "))

  // loss.png
  let epochAxis = (1...epochs).map(Double.init)
  try run.save(
    LinePlot(
      title: "Training MSE per epoch (the CAE's penalty left out; the DAE's on noisy inputs)",
      xLabel: "epoch",
      yLabel: "train MSE per pixel",
      series: specs.map { spec in
        let history = histories[spec.key]!
        let mse = history["mse"].isEmpty ? history["loss"] : history["mse"]
        return .init(spec.title, x: epochAxis, y: mse)
      }), as: "loss",
    caption: "the reconstruction MSE per epoch of the three models")
}
