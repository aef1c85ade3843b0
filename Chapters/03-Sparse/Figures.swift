import Bottleneck

/// Indices of the `count` units with the largest mean |activation| over the test set: the units
/// the model uses most (a sparse model's other units may be dead, and their filters blank).
func mostUsedUnits(_ report: CodeReport, count: Int) -> [Int] {
  let order = report.lifetime.indices.sorted {
    (Swift.abs(report.lifetime[$0]), -$0) > (Swift.abs(report.lifetime[$1]), -$1)
  }
  return Array(order.prefix(count))
}

/// Writes the chapter's figures.
func saveFigures(
  run: ChapterRun, variants: [Variant], models: [String: SparseAutoencoder],
  histories: [String: TrainingHistory], reports: [String: CodeReport],
  sweep: [String: [(setting: Double, mse: Double, sparsity: Double)]], epochs: Int
) throws {
  let testLabels = run.test.allLabels()
  let shown = (0..<10).map { c in testLabels.firstIndex(of: c) ?? 0 } + [10, 11]
  let originals = run.test.batch(shown)

  // filters.png: each model's 36 most-used units' encoder weights, 2 x 2 mosaics.
  let mosaics = variants.map { variant -> ImageGrid in
    let units = mostUsedUnits(reports[variant.key]!, count: 36)
    return ImageGrid.filters(
      models[variant.key]!.encoder.weight.value.gatherRows(units), columns: 6, sharedScale: false)
  }
  let top = ImageGrid.sideBySide(mosaics[0], mosaics[1])
  let bottom = ImageGrid.sideBySide(mosaics[2], mosaics[3])
  try run.save(
    ImageGrid(rows: top.rows + [[]] + bottom.rows, background: top.background), as: "filters",
    caption: "the 36 most-used units' encoder filters: dense | L1 (top), KL | k-sparse (bottom)")

  // reconstructions.png
  let rows = inference {
    [originals] + variants.map { models[$0.key]!(Variable(originals)).value }
  }
  try run.save(
    ImageGrid(rows: rows), as: "reconstructions",
    caption: "rows: test images; " + variants.map(\.title).joined(separator: "; "))

  // activations.png: the non-zero code values of 1,000 test images, per model.
  let sample = run.test.batch(Array(0..<min(1000, run.test.count)))
  let series = inference {
    variants.map { variant -> HistogramPlot.Series in
      let h = models[variant.key]!.encode(Variable(sample)).value
      return .init(variant.title, values: h.scalars.filter { Swift.abs($0) > 0.01 })
    }
  }
  let all = series.flatMap(\.values).sorted()
  let high = all.isEmpty ? 1 : all[Int(Double(all.count - 1) * 0.99)]
  let low = min(0, all.first ?? 0)
  try run.save(
    HistogramPlot(
      title: "Code values above 0.01 in magnitude, 1,000 test images (each curve sums to 1)",
      xLabel: "activation", series: series, bins: 60, range: low...max(high, 0.1),
      normalized: true), as: "activations",
    caption: "histograms of the non-zero code values of each model")

  // tradeoff.png: reconstruction error against population sparsity.
  let names = [
    "l1": "L1 (λ sweep)", "kl": "KL-ρ (β sweep)", "ksparse": "k-sparse (k = 10, 25, 40)",
  ]
  try run.save(
    LinePlot(
      title: "What sparsity costs: test MSE against the share of zero code units per image",
      xLabel: "fraction of the 1024 units near 0 (|h| ≤ 0.01), mean over test images",
      yLabel: "test MSE per pixel",
      series: ["l1", "kl", "ksparse"].map { key in
        let points = sweep[key]!.sorted { $0.sparsity < $1.sparsity }
        return .init(names[key]!, x: points.map(\.sparsity), y: points.map(\.mse))
      }, showPoints: true, key: .topRight), as: "tradeoff",
    caption: "the sweep's models: reconstruction error against sparsity")

  // parts.png: one test image as the sum of its k-sparse code's parts.
  let ksparse = models["ksparse"]!
  let image = run.test.batch([shown[0]])
  let (h, reconstruction) = inference {
    let h = ksparse.encode(Variable(image)).value
    return (h, ksparse.decode(Variable(h)).value)
  }
  let active = h.scalars.indices.filter { h.scalars[$0] != 0 }
    .sorted { Swift.abs(h.scalars[$0]) > Swift.abs(h.scalars[$1]) }
  let decoderWeights = ksparse.decoder.weight.value  // (784, 1024): column j is unit j's part
  let parts = active.map { j -> PNGImage in
    let column = (0..<784).map { decoderWeights.scalars[$0 * 1024 + j] * h.scalars[j] }
    return PNGImage(weights: column, width: 28, height: 28)
  }
  let grey = { (t: Tensor) in PNGImage(grey: t.scalars, width: 28, height: 28) }
  let partRows = stride(from: 0, to: parts.count, by: 13).map {
    Array(parts[$0..<min($0 + 13, parts.count)])
  }
  try run.save(
    ImageGrid(rows: [[grey(image), grey(reconstruction)]] + partRows, background: RGB(grey: 96)),
    as: "parts",
    caption: "a test image, its k-sparse reconstruction, and the \(active.count) parts"
      + " h_j·(decoder column j) it adds up (red positive, blue negative), largest first")

  // loss.png: the reconstruction part of each model's training loss.
  let epochAxis = (1...epochs).map(Double.init)
  try run.save(
    LinePlot(
      title: "Training MSE per epoch (the penalty's share left out)", xLabel: "epoch",
      yLabel: "train MSE per pixel",
      series: variants.map { variant in
        let history = histories[variant.key]!
        let mse = history["mse"].isEmpty ? history["loss"] : history["mse"]
        return .init(variant.title, x: epochAxis, y: mse)
      }, showPoints: true), as: "loss",
    caption: "the reconstruction MSE per epoch of the four models")
}
