import TensorCore

// Points in a plane coloured by class: where an encoder puts each test image in a 2-D latent space.
// Several panels sit side by side (the autoencoder's latents next to a PCA projection, say) and
// share one legend at the right, which lists the class names with large colour samples.

/// Scatter plots of 2-D points coloured by class label, one or more panels side by side.
public struct ScatterPlot: Plot {
  /// One panel: points (x[i], y[i]) with class labels[i].
  public struct Panel: Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var x: [Double]
    public var y: [Double]
    public var labels: [Int]

    public init<T: BinaryFloatingPoint>(
      title: String, xLabel: String = "", yLabel: String = "", x: [T], y: [T], labels: [Int]
    ) {
      check(
        x.count == y.count && y.count == labels.count,
        "ScatterPlot.Panel \(title): \(x.count) x, \(y.count) y, \(labels.count) labels")
      self.title = title
      self.xLabel = xLabel
      self.yLabel = yLabel
      self.x = x.map { Double($0) }
      self.y = y.map { Double($0) }
      self.labels = labels
    }

    /// Points from a tensor of shape (n, 2): column 0 is x, column 1 is y.
    public init(
      title: String, xLabel: String = "", yLabel: String = "", points: Tensor, labels: [Int]
    ) {
      check(
        points.rank == 2 && points.shape[1] == 2,
        "ScatterPlot.Panel \(title): points must have shape (n, 2), not \(points.shape)")
      let n = points.shape[0]
      self.init(
        title: title, xLabel: xLabel, yLabel: yLabel,
        x: (0..<n).map { points.scalars[2 * $0] }, y: (0..<n).map { points.scalars[2 * $0 + 1] },
        labels: labels)
    }
  }

  /// Title over all panels (may be empty).
  public var title: String
  public var panels: [Panel]
  /// Legend names by label: classNames[3] names label 3. Labels without a name show as "class N".
  public var classNames: [String]
  /// Size of the dots (gnuplot's `pointsize`; 1 is large).
  public var pointSize: Double
  public var width: Int
  public var height: Int

  /// Default size: 620 pixels per panel plus room for the legend, 600 high.
  public init(
    title: String = "", panels: [Panel], classNames: [String] = [], pointSize: Double = 0.35,
    width: Int? = nil, height: Int = 600
  ) {
    self.title = title
    self.panels = panels
    self.classNames = classNames
    self.pointSize = pointSize
    self.width = width ?? (200 + 620 * max(panels.count, 1))
    self.height = height
  }

  func className(_ label: Int) -> String {
    label >= 0 && label < classNames.count ? classNames[label] : "class \(label)"
  }

  public func script(named name: String) -> PlotScript {
    let dataName = name + ".dat"
    var data = DataBlocks(
      header: "# \(dataName): data for \(name).gp, one block per panel and class.\n")
    let labels = Array(Set(panels.flatMap(\.labels))).sorted()

    // Screen fractions for the panels' frames: room on the left for the y label, at the top for
    // titles, and 190 pixels on the right for the legend.
    let left = 80 / Double(width)
    let right = 1 - 190 / Double(width)
    let bottom = 70 / Double(height)
    let top = 1 - (title.isEmpty ? 50 : 90) / Double(height)
    let spacing = 90 / Double(width)

    var script = PlotScript.preamble(name: name, dataFiles: [dataName], size: (width, height))
    script += "set multiplot layout 1,\(max(panels.count, 1))"
    if !title.isEmpty { script += " title \(Gnuplot.quote(title)) font ',15'" }
    script += " margins \(f(left)),\(f(right)),\(f(bottom)),\(f(top)) spacing \(f(spacing))\n"

    for (p, panel) in panels.enumerated() {
      var plots: [String] = []
      var legend: [String] = []
      for label in labels {
        let rows = panel.labels.indices.filter { panel.labels[$0] == label }
          .map { [panel.x[$0], panel.y[$0]] }
        let blockTitle = "\(panel.title): \(className(label))"
        guard let index = data.add(title: blockTitle, columns: "x y", rows: rows) else { continue }
        plots.append(
          "\(Gnuplot.quote(dataName)) index \(index) using 1:2 with points pt 7 "
            + "ps \(Gnuplot.number(pointSize)) lc rgb '\(ColorMap.classColor(label).hexString)' "
            + "notitle")
      }
      script += "\n# Panel \(p + 1): \(String(panel.title.map { $0.isNewline ? " " : $0 }))\n"
      script += """
        unset label
        set autoscale
        set title \(Gnuplot.quote(panel.title))
        set xlabel \(Gnuplot.quote(panel.xLabel))
        set ylabel \(Gnuplot.quote(panel.yLabel))

        """
      if p == panels.count - 1 {
        // The legend, once, right of the last panel: dummy NaN series (never drawn) with big
        // dots, so the colour samples are easy to read even though the data dots are small.
        script +=
          "set key at screen 0.99,\(f(top)) right top vertical Left reverse samplen 1 "
          + "spacing 1.3 box lc rgb '#bbbbbb'\n"
        for label in labels {
          legend.append(
            "NaN with points pt 7 ps 1.6 lc rgb '\(ColorMap.classColor(label).hexString)' "
              + "title \(Gnuplot.quote(className(label)))")
        }
      } else {
        script += "set key off\n"
      }
      script += plotCommand(data: plots, extras: legend)
    }
    script += "unset multiplot\n"
    return PlotScript(
      name: name, script: script,
      dataFiles: [PlotScript.DataFile(name: dataName, contents: data.text)])
  }

  /// A screen fraction with 3 decimals.
  private func f(_ value: Double) -> String { String(format: "%.3f", value) }
}
