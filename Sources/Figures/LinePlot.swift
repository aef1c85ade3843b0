import Foundation
import TensorCore

// Curves: y against x, one line per series, e.g. train and test loss per epoch, or a ROC curve.

/// Lines through points, several series in one frame.
public struct LinePlot: Plot {
  /// One curve: its legend title and its points.
  public struct Series: Sendable, Equatable {
    public var title: String
    public var x: [Double]
    public var y: [Double]

    public init<T: BinaryFloatingPoint>(_ title: String, x: [T], y: [T]) {
      check(x.count == y.count, "LinePlot.Series \(title): \(x.count) x but \(y.count) y")
      self.title = title
      self.x = x.map { Double($0) }
      self.y = y.map { Double($0) }
    }

    /// y against 1, 2, 3, ...: a value per epoch.
    public init<T: BinaryFloatingPoint>(_ title: String, y: [T]) {
      self.init(title, x: (0..<y.count).map { T($0 + 1) }, y: y)
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Logarithmic x axis (sizes that double, learning rates that step by 10). Values <= 0 are not
  /// drawn. A few distinct x values (at most 12, such as 256, 512, 1024, 2048) are each marked.
  public var logScaleX: Bool
  /// Logarithmic y axis (losses that fall over orders of magnitude). Values <= 0 are not drawn.
  public var logScaleY: Bool
  /// Mark each point as well as joining them (good for a few dozen epochs, noisy for thousands).
  public var showPoints: Bool
  public var key: KeyPosition
  /// Picture size in pixels.
  public var width: Int
  public var height: Int

  public init(
    title: String, xLabel: String, yLabel: String, series: [Series], logScaleX: Bool = false,
    logScaleY: Bool = false, showPoints: Bool = true, key: KeyPosition = .topRight,
    width: Int = 900, height: Int = 600
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.logScaleX = logScaleX
    self.logScaleY = logScaleY
    self.showPoints = showPoints
    self.key = key
    self.width = width
    self.height = height
  }

  public func script(named name: String) -> PlotScript {
    let dataName = name + ".dat"
    var data = DataBlocks(header: "# \(dataName): data for \(name).gp, one block per series.\n")
    var script = PlotScript.preamble(name: name, dataFiles: [dataName], size: (width, height))
    script += frameCommands(dataName: dataName, data: &data)
    return PlotScript(
      name: name, script: script,
      dataFiles: [PlotScript.DataFile(name: dataName, contents: data.text)])
  }

  /// How series `index` is drawn (`with ...` and its colour). The colour is
  /// ColorMap.classColor(index), so series i has the same colour in every plot and panel.
  func style(ofSeries index: Int) -> String {
    let shape = showPoints ? "with linespoints lw 2 pt 7 ps 0.7" : "with lines lw 2"
    return "\(shape) lc rgb '\(ColorMap.classColor(index).hexString)'"
  }

  /// The commands that draw this plot's frame: everything after the preamble (title, axis
  /// labels, key, scales and the `plot` command). Each series becomes a block of `data`, the
  /// file named `dataName`, whose comment line is `blockPrefix` and the series' title.
  /// PanelPlot calls this once per panel with one shared `data`, so each panel reads its own
  /// blocks. A `sharedKey` replaces the plot's own key: its `set key` command is used, the series
  /// are drawn untitled, and its entries (legend-only items) are added to the `plot` command.
  func frameCommands(
    dataName: String, data: inout DataBlocks, blockPrefix: String = "",
    sharedKey: (command: String, entries: [String])? = nil
  ) -> String {
    var plots: [String] = []
    for (i, line) in series.enumerated() {
      let rows = zip(line.x, line.y).map { [$0, $1] }
      guard let index = data.add(title: blockPrefix + line.title, columns: "x y", rows: rows)
      else { continue }
      let title = sharedKey == nil ? "title \(Gnuplot.quote(line.title))" : "notitle"
      plots.append(
        "\(Gnuplot.quote(dataName)) index \(index) using 1:2 \(style(ofSeries: i)) \(title)")
    }
    var script = """
      set title \(Gnuplot.quote(title))
      set xlabel \(Gnuplot.quote(xLabel))
      set ylabel \(Gnuplot.quote(yLabel))
      \(sharedKey?.command ?? key.command)

      """
    if logScaleX {
      script += "set logscale x\n"
      if let tics = logTicsX(series.flatMap(\.x)) {
        // As for y below: explicit marks, and a range with a little room on each side.
        script += "set xtics (\(tics.marks))\n"
        script +=
          "set xrange [\(Gnuplot.number(tics.low / 1.15)):\(Gnuplot.number(tics.high * 1.15))]\n"
      }
    }
    if logScaleY {
      script += "set logscale y\n"
      if let tics = logTics(series.flatMap(\.y)) {
        // Explicit marks stop gnuplot widening the range to whole powers of ten, so set the range
        // to the data with a little room above and below.
        script += "set ytics (\(tics.marks))\n"
        script +=
          "set yrange [\(Gnuplot.number(tics.low / 1.1)):\(Gnuplot.number(tics.high * 1.1))]\n"
      }
    }
    return script + plotCommand(data: plots, extras: sharedKey?.entries ?? [])
  }
}

/// Tick marks for a logarithmic x axis: each distinct value when there are at most 12 of them
/// (a benchmark's sizes 256, 512, 1024, 2048 read better than 200, 500, 1000, 2000), else the
/// 1-2-5 marks of `logTics`.
func logTicsX(_ values: [Double]) -> (marks: String, low: Double, high: Double)? {
  let distinct = Set(values.filter { $0 > 0 && $0.isFinite }).sorted()
  guard let low = distinct.first, let high = distinct.last else { return nil }
  if distinct.count <= 12 {
    return (distinct.map(Gnuplot.number).joined(separator: ", "), low, high)
  }
  return logTics(distinct)
}

/// Tick marks for a log axis over `values`: gnuplot's own marks are only the powers of ten,
/// which leaves a loss curve inside one decade with one or two labels. When the values span at
/// most three decades, mark 1, 2 and 5 times each power of ten instead (0.01, 0.02, 0.05, 0.1).
/// Returns the marks as gnuplot's list and the smallest and largest positive value.
func logTics(_ values: [Double]) -> (marks: String, low: Double, high: Double)? {
  let positive = values.filter { $0 > 0 && $0.isFinite }
  guard let low = positive.min(), let high = positive.max() else { return nil }
  let first = Int(log10(low).rounded(.down))
  let last = Int(log10(high).rounded(.up))
  guard last - first <= 3 else { return nil }
  var tics: [Double] = []
  for exponent in first...last {
    for mantissa in [1.0, 2.0, 5.0] { tics.append(mantissa * pow(10, Double(exponent))) }
  }
  // The marks inside the data, plus one on each side.
  let below = tics.lastIndex { $0 <= low } ?? 0
  let above = tics.firstIndex { $0 >= high } ?? tics.count - 1
  return (tics[below...above].map(Gnuplot.number).joined(separator: ", "), low, high)
}
