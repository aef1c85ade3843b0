import TensorCore

// How values are spread: counts in equal-width bins, e.g. reconstruction errors of normal and
// anomalous images overlaid, to see where a threshold would separate them. We count the bins here
// (so the .dat file holds the counts to read), and gnuplot draws them as half-transparent boxes so
// overlapping series both stay visible.

/// Histograms of one or more series over shared bins.
public struct HistogramPlot: Plot {
  /// One set of values and its legend title.
  public struct Series: Sendable, Equatable {
    public var title: String
    public var values: [Double]

    public init<T: BinaryFloatingPoint>(_ title: String, values: [T]) {
      self.title = title
      self.values = values.map { Double($0) }
    }
  }

  public var title: String
  public var xLabel: String
  public var series: [Series]
  /// Number of equal-width bins.
  public var bins: Int
  /// The span the bins cover; by default from the smallest to the largest value of all series.
  /// Values outside it, and NaNs, are not counted.
  public var range: ClosedRange<Double>?
  /// Show each series' fraction of its values per bin instead of counts, so a series of 9000
  /// and one of 1000 can be compared by shape.
  public var normalized: Bool
  public var key: KeyPosition
  public var width: Int
  public var height: Int

  public init(
    title: String, xLabel: String, series: [Series], bins: Int = 50,
    range: ClosedRange<Double>? = nil, normalized: Bool = false, key: KeyPosition = .topRight,
    width: Int = 900, height: Int = 600
  ) {
    check(bins >= 1, "HistogramPlot: bins must be >= 1, not \(bins)")
    self.title = title
    self.xLabel = xLabel
    self.series = series
    self.bins = bins
    self.range = range
    self.normalized = normalized
    self.key = key
    self.width = width
    self.height = height
  }

  /// The bins: `edges` has bins + 1 entries (bin i covers edges[i] ..< edges[i+1], the last bin
  /// includes its right edge); `counts[s][i]` is how many values of series s fall in bin i.
  public func binned() -> (edges: [Double], counts: [[Int]]) {
    let finite = series.flatMap(\.values).filter(\.isFinite)
    var low = range?.lowerBound ?? finite.min() ?? 0
    var high = range?.upperBound ?? finite.max() ?? 1
    if high <= low {  // all values equal: give the single bar some width
      low -= 0.5
      high += 0.5
    }
    let binWidth = (high - low) / Double(bins)
    let edges = (0...bins).map { low + Double($0) * binWidth }
    let counts = series.map { s -> [Int] in
      var counts = [Int](repeating: 0, count: bins)
      for v in s.values where v >= low && v <= high {
        counts[min(Int((v - low) / binWidth), bins - 1)] += 1
      }
      return counts
    }
    return (edges, counts)
  }

  public func script(named name: String) -> PlotScript {
    let dataName = name + ".dat"
    let (edges, counts) = binned()
    let binWidth = edges[1] - edges[0]
    var data = DataBlocks(
      header: "# \(dataName): data for \(name).gp, one block per series; "
        + "each row is a bin: its centre, its \(normalized ? "fraction" : "count").\n")
    var plots: [String] = []
    for (s, line) in series.enumerated() {
      let total = max(counts[s].reduce(0, +), 1)
      let rows = (0..<bins).map { i -> [Double] in
        let count = Double(counts[s][i])
        return [(edges[i] + edges[i + 1]) / 2, normalized ? count / Double(total) : count]
      }
      guard let index = data.add(title: line.title, columns: "centre height", rows: rows) else {
        continue
      }
      plots.append(
        "\(Gnuplot.quote(dataName)) index \(index) using 1:2 with boxes "
          + "lc rgb '\(ColorMap.classColor(s).hexString)' title \(Gnuplot.quote(line.title))")
    }
    var script = PlotScript.preamble(name: name, dataFiles: [dataName], size: (width, height))
    script += """
      set title \(Gnuplot.quote(title))
      set xlabel \(Gnuplot.quote(xLabel))
      set ylabel \(Gnuplot.quote(normalized ? "fraction of values" : "count"))
      \(key.command)
      set style fill transparent solid 0.45 border
      set boxwidth \(Gnuplot.number(binWidth)) absolute
      set xrange [\(Gnuplot.number(edges[0])):\(Gnuplot.number(edges[bins]))]
      set yrange [0:*]
      set offsets 0, 0, graph 0.05, 0

      """
    script += plotCommand(data: plots)
    return PlotScript(
      name: name, script: script,
      dataFiles: [PlotScript.DataFile(name: dataName, contents: data.text)])
  }
}
