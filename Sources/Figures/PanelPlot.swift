import Foundation

// Several line plots side by side in one picture, under one title: the same methods compared under
// three kinds of noise, say, one panel per kind with the noise level on x. Each panel is a whole
// LinePlot (its title, axis labels, series, log scales and points); PanelPlot lays them out with
// gnuplot's `set multiplot layout 1,N` and draws each with the commands LinePlot itself uses.
//
// Series i has the same colour in every panel (LinePlot colours by index), so one method reads as
// one colour throughout. By default the panels share one legend, a row of entries under them,
// which names series by index: where six lines crowd into each frame, six keys would hide them.

/// Line plots drawn side by side, sharing one title and (by default) one legend.
public struct PanelPlot: Plot {
  /// Where the legend goes.
  public enum Legend: String, Sendable, Equatable {
    /// One legend for all panels, under them: entry i names series i, by the title it has in the
    /// first panel that has it. The panels' own keys are not drawn.
    case below
    /// Each panel draws its own key, where its LinePlot's `key` says.
    case perPanel
  }

  /// Title over all panels (may be empty).
  public var title: String
  /// The panels, left to right. Their own `width` and `height` are not used: the picture's are.
  public var panels: [LinePlot]
  public var legend: Legend
  /// Picture size in pixels.
  public var width: Int
  public var height: Int

  /// Default width: 520 pixels per panel.
  public init(
    title: String, panels: [LinePlot], legend: Legend = .below, width: Int? = nil,
    height: Int = 480
  ) {
    self.title = title
    self.panels = panels
    self.legend = legend
    self.width = width ?? 520 * max(panels.count, 1)
    self.height = height
  }

  /// The shared legend's entries, one per series index that has points in some panel: titled
  /// and styled as in the first panel with points for it. Legend-only `plot` items (NaN is never
  /// drawn).
  func legendEntries() -> [String] {
    let count = panels.map(\.series.count).max() ?? 0
    return (0..<count).compactMap { i in
      guard
        let panel = panels.first(where: { i < $0.series.count && !$0.series[i].x.isEmpty })
      else { return nil }
      return "NaN \(panel.style(ofSeries: i)) title \(Gnuplot.quote(panel.series[i].title))"
    }
  }

  /// Rows of the shared legend: as many entries to a row as fit the picture's width. gnuplot
  /// gives every entry the width of the longest title plus the line sample and some space, about
  /// 8 characters more, at about 9 pixels a character.
  func legendRows(entries: Int) -> Int {
    guard entries > 0 else { return 0 }
    let longest = panels.flatMap { $0.series.map(\.title.count) }.max() ?? 0
    let entryWidth = 9 * (longest + 8)
    let perRow = max(1, min(entries, (width - 40) / entryWidth))
    return (entries + perRow - 1) / perRow
  }

  public func script(named name: String) -> PlotScript {
    let dataName = name + ".dat"
    var data = DataBlocks(
      header: "# \(dataName): data for \(name).gp, one block per panel and series.\n")
    let drawn = panels.isEmpty ? [LinePlot(title: "", xLabel: "", yLabel: "", series: [])] : panels
    let entries = legend == .below ? legendEntries() : []
    let rows = legendRows(entries: entries.count)

    // Screen fractions for the panels' frames: room on the left for the first y label, between
    // panels for the next ones, at the top for the titles, and at the bottom for the x labels and
    // the shared legend (about 22 pixels a row).
    let legendHeight = rows == 0 ? 0 : 22 * rows + 10
    let left = 80 / Double(width)
    let right = 1 - 25 / Double(width)
    let bottom = Double(65 + legendHeight) / Double(height)
    let top = 1 - (title.isEmpty ? 45 : 85) / Double(height)
    let spacing = 90 / Double(width)

    var script = PlotScript.preamble(name: name, dataFiles: [dataName], size: (width, height))
    script += "set multiplot layout 1,\(drawn.count)"
    if !title.isEmpty { script += " title \(Gnuplot.quote(title)) font ',15'" }
    script += " margins \(f(left)),\(f(right)),\(f(bottom)),\(f(top)) spacing \(f(spacing))\n"

    for (p, panel) in drawn.enumerated() {
      let panelTitle = String(panel.title.map { $0.isNewline ? " " : $0 })
      // Settings carry over from one panel to the next in a multiplot: undo what a panel may set
      // (log scales, explicit marks and ranges, the "no data" label) before drawing the next.
      script += """

        # Panel \(p + 1): \(panelTitle)
        unset label
        unset logscale
        set autoscale
        set xtics autofreq
        set ytics autofreq

        """
      script += marksForEachX(panel)
      var sharedKey: (command: String, entries: [String])? = nil
      if legend == .below {
        // The shared legend belongs to the first panel's plot command, placed under all panels.
        // It is `vertical` with at most `rows` rows: gnuplot fits a `horizontal` key into the
        // panel's own width, which would stack six entries under one narrow frame.
        sharedKey =
          p == 0 && !entries.isEmpty
          ? (
            "set key at screen 0.5,\(f(8 / Double(height))) center bottom vertical maxrows "
              + "\(rows) Left reverse samplen 3 width 1 box lc rgb '#bbbbbb'",
            entries
          )
          : ("set key off", [])
      }
      script += panel.frameCommands(
        dataName: dataName, data: &data,
        blockPrefix: panelTitle.isEmpty ? "" : "\(panelTitle): ", sharedKey: sharedKey)
    }
    script += "unset multiplot\n"
    return PlotScript(
      name: name, script: script,
      dataFiles: [PlotScript.DataFile(name: dataName, contents: data.text)])
  }

  /// A panel's frame is narrow, and gnuplot's own marks crowd it (0.08, 0.1, 0.12, ...). So a
  /// linear x axis with at most 8 distinct values, such as three noise levels, marks each value
  /// (as LinePlot does for a log axis), and leaves room of 6% of the span on each side so the
  /// end points are not drawn on the frame. Returns the commands, or "" for other axes.
  func marksForEachX(_ panel: LinePlot) -> String {
    guard !panel.logScaleX else { return "" }
    let x = Set(panel.series.flatMap(\.x).filter(\.isFinite)).sorted()
    guard let low = x.first, let high = x.last, x.count <= 8 else { return "" }
    let room = high > low ? 0.06 * (high - low) : max(abs(low) * 0.5, 0.5)
    return "set xtics (\(x.map(Gnuplot.number).joined(separator: ", ")))\n"
      + "set xrange [\(Gnuplot.number(low - room)):\(Gnuplot.number(high + room))]\n"
  }

  /// A screen fraction with 3 decimals.
  private func f(_ value: Double) -> String { String(format: "%.3f", value) }
}
