import Foundation
import TensorCore

// A small table of numbers as coloured cells, e.g. the PSNR of a denoiser trained on corruption i
// (a row) and tested on corruption j (a column). Each cell is coloured by its value on the viridis
// map, with a colour bar to read the colours by, and prints its value, in white on dark cells and
// black on light ones. The first row is drawn at the top, as in the table it comes from.
//
// gnuplot draws the cells with `plot ... with image` (one pixel per cell, column j at x = j,
// row i at y = i, and the y axis reversed so that row 0 is on top) and the numbers with
// `with labels`, both from the same data file, which holds one line per cell.
//
// Non-finite values (NaN, or the infinite PSNR of a perfect copy) are not refused: their cell is
// left light grey and reads "n/a", and they do not count for the colour range.

/// A matrix of values drawn as coloured cells, each labelled with its value.
public struct HeatMapPlot: Plot {
  public var title: String
  /// Names the columns (the x axis), e.g. "tested on".
  public var xLabel: String
  /// Names the rows (the y axis), e.g. "trained on".
  public var yLabel: String
  /// One label per row, drawn top to bottom.
  public var rowLabels: [String]
  /// One label per column, drawn left to right.
  public var columnLabels: [String]
  /// values[i][j] is the cell in row i, column j: rowLabels.count rows of columnLabels.count.
  public var values: [[Double]]
  /// The colour bar's label, e.g. "PSNR (dB)" (may be empty).
  public var valueLabel: String
  /// How each cell prints its value: a printf format with one floating-point conversion
  /// ("%.1f", "%.3g", "%.0f%%"). Non-finite values print "n/a".
  public var valueFormat: String
  /// The values the colour scale spans (the darkest colour at its lower bound, the lightest at
  /// its upper bound); values outside get the end colour. By default, the smallest to the largest
  /// finite value. Give the same range to several heat maps to compare their colours.
  public var colorRange: ClosedRange<Double>?
  /// Picture size in pixels.
  public var width: Int
  public var height: Int

  public init<T: BinaryFloatingPoint>(
    title: String, xLabel: String, yLabel: String, rowLabels: [String], columnLabels: [String],
    values: [[T]], valueLabel: String = "", valueFormat: String = "%.1f",
    colorRange: ClosedRange<Double>? = nil, width: Int = 800, height: Int = 600
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.values = values.map { $0.map { Double($0) } }
    self.valueLabel = valueLabel
    self.valueFormat = valueFormat
    self.colorRange = colorRange
    self.width = width
    self.height = height
    validate()
  }

  /// Stops with a message when the values are not a rectangle matching the labels, or the format
  /// or colour range cannot be used. (Called by `init` and again by `script`, since the
  /// properties can be changed in between.)
  func validate() {
    check(
      !rowLabels.isEmpty && !columnLabels.isEmpty,
      "HeatMapPlot \(title): needs at least one row and one column, got \(rowLabels.count) "
        + "row labels and \(columnLabels.count) column labels")
    check(
      values.count == rowLabels.count,
      "HeatMapPlot \(title): \(values.count) rows of values but \(rowLabels.count) row labels")
    for (i, row) in values.enumerated() {
      check(
        row.count == columnLabels.count,
        "HeatMapPlot \(title): row \(i) has \(row.count) values but there are "
          + "\(columnLabels.count) column labels (the values must be a rectangle)")
    }
    check(
      isValueFormat(valueFormat),
      "HeatMapPlot \(title): valueFormat \"\(valueFormat)\" must hold exactly one floating-point "
        + "conversion such as %.1f, %.3g or %e (write %% for a percent sign)")
    if let colorRange {
      check(
        colorRange.lowerBound.isFinite && colorRange.upperBound.isFinite
          && colorRange.lowerBound < colorRange.upperBound,
        "HeatMapPlot \(title): colorRange \(colorRange) must be finite and not a single value")
    }
  }

  /// The span of the colour scale: `colorRange`, or the finite values' smallest to largest
  /// (widened when they are all equal, so the scale is not empty; 0...1 when none is finite).
  public var colorScale: ClosedRange<Double> {
    if let colorRange { return colorRange }
    let finite = values.joined().filter(\.isFinite)
    guard let low = finite.min(), let high = finite.max() else { return 0...1 }
    if high > low { return low...high }
    let half = Swift.max(0.5, Swift.abs(low) * 1e-3)
    return (low - half)...(high + half)
  }

  /// What cell (row, column) prints: its value in `valueFormat`, or "n/a" when not finite.
  public func text(row: Int, column: Int) -> String {
    let value = values[row][column]
    guard value.isFinite else { return "n/a" }
    // A data-file string sits in double quotes and cannot hold one, nor a line break.
    return String(
      String(format: valueFormat, value).map { $0 == "\"" ? "'" : $0.isNewline ? " " : $0 })
  }

  /// The colour of cell (row, column)'s number: white on dark cells, black on light ones (and
  /// black on the light grey of a non-finite cell).
  public func textColor(row: Int, column: Int) -> RGB {
    let value = values[row][column]
    guard value.isFinite else { return .black }
    let scale = colorScale
    let t = (value - scale.lowerBound) / (scale.upperBound - scale.lowerBound)
    return readableText(on: ColorMap.viridis(Float(t)))
  }

  public func script(named name: String) -> PlotScript {
    validate()
    let dataName = name + ".dat"
    let rows = rowLabels.count
    let columns = columnLabels.count
    let scale = colorScale

    // The data: one line per cell, a blank line after each row of the table (one scan line of
    // the image). gnuplot's image needs a grid of at least 2 x 2 to know a cell's size, so a
    // table of one row (or column) gets a padding row (column) of nan, outside the drawn range.
    var data = """
      # \(dataName): data for \(name).gp, one line per cell; row 0 is drawn at the top.
      # column row value text text-colour (0xRRGGBB as an integer: 16777215 white, 0 black)

      """
    for i in 0..<Swift.max(rows, 2) {
      if i > 0 { data += "\n" }
      if i < rows {
        data += "# row \(i): \(String(rowLabels[i].map { $0.isNewline ? " " : $0 }))\n"
      } else {
        data += "# padding (not drawn): gnuplot's image needs at least 2 rows\n"
      }
      for j in 0..<Swift.max(columns, 2) {
        guard i < rows && j < columns else {
          data += "\(j) \(i) nan \"\" 0\n"
          continue
        }
        let value = values[i][j]
        let color = textColor(row: i, column: j)
        let colorNumber = Int(color.r) << 16 | Int(color.g) << 8 | Int(color.b)
        data +=
          "\(j) \(i) \(value.isFinite ? Gnuplot.number(value) : "nan") "
          + "\"\(text(row: i, column: j))\" \(colorNumber)\n"
      }
    }

    func tics(_ labels: [String]) -> String {
      labels.enumerated().map { "\(Gnuplot.quote($1)) \($0)" }.joined(separator: ", ")
    }
    let palette = ColorMap.viridisStops.enumerated()
      .map { "\($0) '\($1.hexString)'" }.joined(separator: ", ")

    var script = PlotScript.preamble(name: name, dataFiles: [dataName], size: (width, height))
    script += """
      set title \(Gnuplot.quote(title))
      set xlabel \(Gnuplot.quote(xLabel))
      set ylabel \(Gnuplot.quote(yLabel))
      set key off
      unset grid
      set border 15 lc rgb '#444444'
      # Cell j of row i is centred on (j, i); the y axis runs downwards so that row 0 is on top.
      set xrange [-0.5:\(Gnuplot.number(Double(columns) - 0.5))]
      set yrange [\(Gnuplot.number(Double(rows) - 0.5)):-0.5]
      set size ratio -1
      set xtics (\(tics(columnLabels))) scale 0
      set ytics (\(tics(rowLabels))) scale 0
      # The viridis colour map, dark purple (low) to yellow (high), and its colour bar.
      set palette defined (\(palette))
      set cbrange [\(Gnuplot.number(scale.lowerBound)):\(Gnuplot.number(scale.upperBound))]
      # gnuplot places the colour bar's label a little too close to its numbers: move it right.
      set cblabel \(Gnuplot.quote(valueLabel)) offset char 1,0
      set format cb '%g'
      set colorbox
      # Non-finite values are nan in the data: their cells are not drawn and show this grey.
      set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#dddddd' \\
        fillstyle solid noborder
      plot \(Gnuplot.quote(dataName)) using 1:2:3 with image notitle, \\
           '' using 1:2:4:5 with labels textcolor rgb variable font ',14' notitle

      """
    return PlotScript(
      name: name, script: script,
      dataFiles: [PlotScript.DataFile(name: dataName, contents: data)])
  }
}

/// Black or white, whichever contrasts more with `background` by the WCAG contrast ratio
/// (L₁ + 0.05) / (L₂ + 0.05) of relative luminances: black wins when L > 0.179.
func readableText(on background: RGB) -> RGB {
  func linear(_ channel: UInt8) -> Double {
    let c = Double(channel) / 255
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
  }
  let luminance =
    0.2126 * linear(background.r) + 0.7152 * linear(background.g) + 0.0722 * linear(background.b)
  let contrastWithBlack = (luminance + 0.05) / 0.05
  let contrastWithWhite = 1.05 / (luminance + 0.05)
  return contrastWithBlack >= contrastWithWhite ? .black : .white
}

/// True when `format` holds exactly one printf conversion and it takes a Double (a, e, f or g in
/// either case), with any flags, width and precision; "%%" is a literal percent sign.
func isValueFormat(_ format: String) -> Bool {
  var conversions = 0
  var characters = format.makeIterator()
  while let c = characters.next() {
    guard c == "%" else { continue }
    var spec = characters.next()
    if spec == "%" { continue }
    while let s = spec, "-+ #0123456789.".contains(s) { spec = characters.next() }
    guard let s = spec, "aAeEfFgG".contains(s) else { return false }
    conversions += 1
  }
  return conversions == 1
}
