import Foundation
import Testing

@testable import Figures

/// The kind of table the heat map is for: PSNR (dB) of a denoiser trained on one corruption
/// (row) and tested on another (column).
private func psnrTable() -> HeatMapPlot {
  HeatMapPlot(
    title: "Denoising PSNR (dB)", xLabel: "tested on", yLabel: "trained on",
    rowLabels: ["Gaussian", "masking", "salt-and-pepper"],
    columnLabels: ["Gaussian", "masking", "salt-and-pepper"],
    values: [[24.31, 17.8, 15.02], [19.5, 22.96, 16.4], [18.25, 16.9, 27.55]],
    valueLabel: "PSNR (dB)")
}

@Suite("HeatMapPlot")
struct HeatMapPlotTests {
  @Test func scriptAndDataHoldTheValuesLabelsAndOrientation() {
    let script = psnrTable().script(named: "psnr")
    #expect(script.scriptFileName == "psnr.gp" && script.dataFiles.map(\.name) == ["psnr.dat"])
    // One line per cell: column, row, value, its text, its text colour. Row 0 comes first and
    // is the top row. Numbers on the darker cells (below about 40% of the range) are white
    // (16777215), on the lighter ones black (0).
    #expect(
      script.dataFiles[0].contents == """
        # psnr.dat: data for psnr.gp, one line per cell; row 0 is drawn at the top.
        # column row value text text-colour (0xRRGGBB as an integer: 16777215 white, 0 black)
        # row 0: Gaussian
        0 0 24.31 "24.3" 0
        1 0 17.8 "17.8" 16777215
        2 0 15.02 "15.0" 16777215

        # row 1: masking
        0 1 19.5 "19.5" 16777215
        1 1 22.96 "23.0" 0
        2 1 16.4 "16.4" 16777215

        # row 2: salt-and-pepper
        0 2 18.25 "18.2" 16777215
        1 2 16.9 "16.9" 16777215
        2 2 27.55 "27.6" 0

        """)
    let text = script.script
    #expect(text.hasPrefix("# psnr.gp: a gnuplot script"))
    #expect(text.contains("set terminal pngcairo size 800,600 noenhanced font 'sans,12'"))
    #expect(text.contains("set title 'Denoising PSNR (dB)'\n"))
    #expect(text.contains("set xlabel 'tested on'\nset ylabel 'trained on'\n"))
    // The y axis runs from the last row (bottom) to row 0 (top).
    #expect(text.contains("set xrange [-0.5:2.5]\nset yrange [2.5:-0.5]\n"))
    #expect(
      text.contains(
        "set xtics ('Gaussian' 0, 'masking' 1, 'salt-and-pepper' 2) scale 0\n"
          + "set ytics ('Gaussian' 0, 'masking' 1, 'salt-and-pepper' 2) scale 0\n"))
    #expect(text.contains("set palette defined (0 '#440154', 1 '#472d7b',"))
    #expect(text.contains("8 '#fde725')\nset cbrange [15.02:27.55]\n"))
    #expect(text.contains("\nset cblabel 'PSNR (dB)' offset char 1,0\n"))
    #expect(
      text.hasSuffix(
        """
        plot 'psnr.dat' using 1:2:3 with image notitle, \\
             '' using 1:2:4:5 with labels textcolor rgb variable font ',14' notitle

        """))
  }

  @Test func numbersAreWhiteOnDarkCellsAndBlackOnLightOnes() {
    #expect(readableText(on: ColorMap.viridis(0)) == .white)  // dark purple
    #expect(readableText(on: ColorMap.viridis(0.3)) == .white)  // blue
    #expect(readableText(on: ColorMap.viridis(0.75)) == .black)  // green
    #expect(readableText(on: ColorMap.viridis(1)) == .black)  // yellow
    #expect(readableText(on: .white) == .black && readableText(on: .black) == .white)
    let plot = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["a"], columnLabels: ["low", "mid", "high"],
      values: [[0, 5, 10] as [Float]])
    #expect(plot.colorScale == 0...10)
    #expect(plot.textColor(row: 0, column: 0) == .white)
    #expect(plot.textColor(row: 0, column: 2) == .black)
  }

  @Test func formatAndColourRangeCanBeChosen() {
    var plot = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["a", "b"], columnLabels: ["x", "y"],
      values: [[0.5, 0.25], [0.125, 1]], valueFormat: "%.0f%%", colorRange: 0...2)
    #expect(plot.text(row: 0, column: 0) == "0%" || plot.text(row: 0, column: 0) == "1%")
    plot.valueFormat = "%.2f dB"
    #expect(plot.text(row: 1, column: 0) == "0.12 dB" || plot.text(row: 1, column: 0) == "0.13 dB")
    #expect(plot.text(row: 1, column: 1) == "1.00 dB")
    let text = plot.script(named: "p").script
    #expect(text.contains("set cbrange [0:2]\n"))
    // 1 is half-way along the fixed range: the teal middle of viridis, where black contrasts
    // more (5.5 : 1) than white (3.8 : 1); 0.5 is a quarter of the way, a darker blue.
    #expect(plot.textColor(row: 1, column: 1) == .black)
    #expect(plot.textColor(row: 0, column: 0) == .white)
    #expect(isValueFormat("%.1f") && isValueFormat("%+08.3e") && isValueFormat("%g%%"))
    #expect(isValueFormat("PSNR %.1f dB"))
    #expect(!isValueFormat("%d") && !isValueFormat("%s") && !isValueFormat("no conversion"))
    #expect(!isValueFormat("%.1f %.1f") && !isValueFormat("%") && !isValueFormat("%.1lf"))
  }

  @Test func nonFiniteValuesReadNotAvailableAndDoNotStretchTheColours() {
    let plot = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["a", "b"], columnLabels: ["x", "y"],
      values: [[20, .infinity], [.nan, 30]])
    #expect(plot.colorScale == 20...30)
    #expect(plot.text(row: 0, column: 1) == "n/a" && plot.text(row: 1, column: 0) == "n/a")
    #expect(plot.textColor(row: 0, column: 1) == .black)
    let data = plot.script(named: "p").dataFiles[0].contents
    #expect(data.contains("\n1 0 nan \"n/a\" 0\n") && data.contains("\n0 1 nan \"n/a\" 0\n"))
    #expect(!data.contains("inf"))
    // All equal, or none finite: the colour range still has some width.
    let flat = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["a"], columnLabels: ["x", "y"],
      values: [[3.0, 3.0]])
    #expect(flat.colorScale == 2.5...3.5)
    let none = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["a"], columnLabels: ["x"],
      values: [[Double.nan]])
    #expect(none.colorScale == 0...1)
  }

  @Test func aSingleRowIsPaddedToTheTwoByTwoGridAnImageNeeds() {
    let plot = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["only"], columnLabels: ["x", "y", "z"],
      values: [[1.0, 2, 3]])
    let script = plot.script(named: "p")
    #expect(script.script.contains("set xrange [-0.5:2.5]\nset yrange [0.5:-0.5]\n"))
    #expect(
      script.dataFiles[0].contents.hasSuffix(
        """
        2 0 3 "3.0" 0

        # padding (not drawn): gnuplot's image needs at least 2 rows
        0 1 nan "" 0
        1 1 nan "" 0
        2 1 nan "" 0

        """))
  }

  @Test func valuesThatDoNotMatchTheLabelsStopWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = HeatMapPlot(
        title: "t", xLabel: "", yLabel: "", rowLabels: ["a", "b"], columnLabels: ["x", "y"],
        values: [[1.0, 2], [3.0]])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("row 1 has 1 values but there are 2 column labels"), "\(message)")
  }

  @Test func aFormatThatIsNotForOneNumberStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = HeatMapPlot(
        title: "t", xLabel: "", yLabel: "", rowLabels: ["a"], columnLabels: ["x"],
        values: [[1.0]], valueFormat: "%d")
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("valueFormat \"%d\" must hold exactly one"), "\(message)")
  }

  @Test(.enabled(if: Gnuplot.find() != nil, "gnuplot is not installed"))
  func renderedHeatMapsAreValidPNGs() throws {
    let folder = try TestFolder()
    defer { folder.remove() }
    let plots: [(String, HeatMapPlot, Int, Int)] = [
      ("psnr", psnrTable(), 800, 600),
      (
        "row",
        HeatMapPlot(
          title: "One row", xLabel: "x", yLabel: "", rowLabels: ["only"],
          columnLabels: ["a", "b", "c"], values: [[1.0, .nan, 3]], width: 640, height: 300),
        640, 300
      ),
    ]
    for (name, plot, width, height) in plots {
      let url = try #require(try plot.render(named: name, in: folder.url, gnuplot: Gnuplot.find()))
      let image = try PNGImage.read(from: url)
      #expect(image.width == width && image.height == height, "\(name)")
    }
    #expect(
      try folder.contents() == ["psnr.dat", "psnr.gp", "psnr.png", "row.dat", "row.gp", "row.png"])
  }

  @Test(.enabled(if: Gnuplot.find() != nil, "gnuplot is not installed"))
  func theFirstRowIsDrawnAtTheTopWithReadableNumbers() throws {
    // Row 0 low (dark purple), row 1 high (yellow): in the picture, the purple cells must be
    // above the yellow ones, with white numbers on purple and black ones on yellow.
    let folder = try TestFolder()
    defer { folder.remove() }
    let plot = HeatMapPlot(
      title: "", xLabel: "", yLabel: "", rowLabels: ["low", "high"], columnLabels: ["x", "y"],
      values: [[0.0, 0], [8.0, 8]])
    let url = try #require(try plot.render(named: "h", in: folder.url, gnuplot: Gnuplot.find()))
    let image = try PNGImage.read(from: url).rgb()
    let purple = ColorMap.viridis(0)
    let yellow = ColorMap.viridis(1)
    // Only the left half: the colour bar on the right has yellow at its top.
    func box(of color: RGB) -> (top: Int, bottom: Int, left: Int, right: Int)? {
      var found: (top: Int, bottom: Int, left: Int, right: Int)?
      for y in 0..<image.height {
        for x in 0..<(image.width / 2) where image[x, y] == color {
          let b = found ?? (y, y, x, x)
          found = (min(b.top, y), max(b.bottom, y), min(b.left, x), max(b.right, x))
        }
      }
      return found
    }
    let dark = try #require(box(of: purple))
    let light = try #require(box(of: yellow))
    #expect(dark.bottom < light.top, "purple rows \(dark), yellow rows \(light)")
    // Each cell's size: the two rows together fill the square plot area.
    #expect(light.bottom - dark.top > image.height / 2)
    func count(_ color: RGB, in b: (top: Int, bottom: Int, left: Int, right: Int)) -> Int {
      var n = 0
      for y in b.top...b.bottom {
        for x in b.left...b.right where image[x, y] == color { n += 1 }
      }
      return n
    }
    #expect(count(.white, in: dark) > 20, "white text on the dark cells")
    #expect(count(.black, in: light) > 20, "black text on the light cells")
    #expect(count(.black, in: dark) < 5 && count(.white, in: light) < 5)
  }
}
