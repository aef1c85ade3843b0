import Foundation
import Testing

@testable import Figures

/// The denoising chapter's figure: PSNR of six methods at three levels of three corruptions.
private func denoisingPanels(legend: PanelPlot.Legend = .below) -> PanelPlot {
  let methods = [
    "noisy input", "median filter", "Gaussian blur", "vanilla AE", "DAE (Gaussian)",
    "DAE (mixed)",
  ]
  let corruptions: [(title: String, label: String, levels: [Double])] = [
    ("Gaussian noise", "noise σ", [0.1, 0.3, 0.5]),
    ("masking", "fraction masked ν", [0.25, 0.5, 0.75]),
    ("salt-and-pepper", "fraction flipped s", [0.1, 0.2, 0.3]),
  ]
  let panels = corruptions.enumerated().map { c, corruption in
    LinePlot(
      title: corruption.title, xLabel: corruption.label, yLabel: "PSNR (dB)",
      series: methods.enumerated().map { m, method in
        // Falling with the level, from about 25 dB down to about 10, each method its own offset.
        let y = (0..<3).map { level in
          24.5 - 1.1 * Double(m) - (3.2 + 0.4 * Double(c)) * Double(level) + 0.123456 * Double(c)
        }
        return LinePlot.Series(method, x: corruption.levels, y: y)
      },
      showPoints: true)
  }
  return PanelPlot(title: "Denoising: PSNR on the test set", panels: panels, legend: legend)
}

/// The numbers of each block of a data file, in order: rows of columns.
private func blocks(_ text: String) -> [[[Double]]] {
  text.components(separatedBy: "\n\n\n").map { block in
    block.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
      line.split(separator: " ").map { Double($0)! }
    }
  }
}

@Suite("PanelPlot")
struct PanelPlotTests {
  @Test func defaultSizeIsAPanelWidthEach() {
    let plot = denoisingPanels()
    #expect(plot.width == 3 * 520 && plot.height == 480)
    let wide = PanelPlot(title: "", panels: plot.panels, width: 1000, height: 300)
    #expect(wide.width == 1000 && wide.height == 300)
  }

  @Test func scriptHoldsEveryPanelAndItsData() {
    let plot = denoisingPanels()
    let script = plot.script(named: "psnr")
    #expect(script.scriptFileName == "psnr.gp" && script.dataFiles.map(\.name) == ["psnr.dat"])
    let text = script.script
    #expect(text.hasPrefix("# psnr.gp: a gnuplot script"))
    #expect(text.contains("set terminal pngcairo size 1560,480 "))
    #expect(
      text.contains(
        "set multiplot layout 1,3 title 'Denoising: PSNR on the test set' font ',15' margins "))
    #expect(text.hasSuffix("unset multiplot\n"))
    for panel in plot.panels {
      #expect(
        text.contains(
          "set title \(Gnuplot.quote(panel.title))\nset xlabel \(Gnuplot.quote(panel.xLabel))\n"
            + "set ylabel 'PSNR (dB)'\n"))
    }
    // One block per panel and series, in order, each read by its own plot item.
    let data = script.dataFiles[0].contents
    #expect(data.hasPrefix("# psnr.dat: data for psnr.gp, one block per panel and series.\n"))
    #expect(data.contains("# index 0: Gaussian noise: noisy input\n# x y\n"))
    #expect(data.contains("# index 17: salt-and-pepper: DAE (mixed)\n"))
    let read = blocks(data)
    let expected = plot.panels.flatMap { $0.series.map { zip($0.x, $0.y).map { [$0, $1] } } }
    // Eight significant digits: the values come back to within a part in 10^8.
    #expect(read.count == 18 && read.map { $0.map(\.count) } == expected.map { $0.map(\.count) })
    for (block, values) in zip(read.joined().joined(), expected.joined().joined()) {
      #expect(abs(block - values) <= 1e-7 * abs(values), "\(block) vs \(values)")
    }
    for index in 0..<18 { #expect(text.contains("'psnr.dat' index \(index) using 1:2 ")) }
    #expect(!text.contains("index 18 "))
  }

  @Test func oneSeriesHasOneColourInEveryPanelAndOneLegendBelow() {
    let text = denoisingPanels().script(named: "psnr").script
    // The lines are untitled; the legend is six NaN entries, once, placed under the panels.
    #expect(!text.contains("using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#1f77b4' title"))
    #expect(text.components(separatedBy: "set key at screen 0.5,").count == 2)
    #expect(text.components(separatedBy: "set key off\n").count == 3)
    #expect(text.contains("center bottom vertical maxrows 1 Left reverse samplen 3 width 1 box"))
    for (i, method) in denoisingPanels().panels[0].series.map(\.title).enumerated() {
      let color = ColorMap.classColor(i).hexString
      #expect(
        text.contains(
          "NaN with linespoints lw 2 pt 7 ps 0.7 lc rgb '\(color)' title \(Gnuplot.quote(method))"))
      // Series i of each panel (blocks i, 6 + i and 12 + i) is drawn in colour i.
      for block in [i, 6 + i, 12 + i] {
        #expect(
          text.contains(
            "'psnr.dat' index \(block) using 1:2 with linespoints lw 2 pt 7 ps 0.7 "
              + "lc rgb '\(color)' notitle"))
      }
    }
  }

  @Test func aNarrowPictureWrapsTheLegendOntoMoreRows() {
    var plot = denoisingPanels()
    plot.width = 700
    #expect(plot.legendRows(entries: 6) == 2)
    #expect(plot.script(named: "p").script.contains(" maxrows 2 "))
  }

  @Test func eachPanelCanKeepItsOwnKeyAndScales() {
    var plot = denoisingPanels(legend: .perPanel)
    plot.panels[0].key = .bottomLeft
    plot.panels[1].key = .none
    plot.panels[2].logScaleY = true
    let text = plot.script(named: "p").script
    #expect(!text.contains("set key at screen"))
    #expect(text.contains("set ylabel 'PSNR (dB)'\n\(KeyPosition.bottomLeft.command)\n"))
    #expect(text.contains("set ylabel 'PSNR (dB)'\nset key off\n"))
    #expect(text.contains("set ylabel 'PSNR (dB)'\n\(KeyPosition.topRight.command)\n"))
    #expect(text.contains("lc rgb '#1f77b4' title 'noisy input'"))
    // Only the third panel is logarithmic, and every panel first undoes what the previous set.
    #expect(text.components(separatedBy: "set logscale y\n").count == 2)
    #expect(
      text.components(
        separatedBy: "unset label\nunset logscale\nset autoscale\nset xtics autofreq\n"
          + "set ytics autofreq\n"
      ).count == 4)
  }

  @Test func panelsWithoutDataStillPlot() {
    let empty = PanelPlot(title: "", panels: []).script(named: "p")
    #expect(empty.script.contains("set multiplot layout 1,1 margins "))
    #expect(empty.script.contains("set label 'no data'"))
    let one = PanelPlot(
      title: "t",
      panels: [
        LinePlot(title: "a", xLabel: "x", yLabel: "y", series: []),
        LinePlot(title: "b", xLabel: "x", yLabel: "y", series: [.init("s", y: [1.0, 2])]),
      ]
    ).script(named: "p")
    // The legend still comes from the first panel's plot command, for the series of the second.
    #expect(
      one.script.contains(
        "plot NaN with linespoints lw 2 pt 7 ps 0.7 lc rgb '#1f77b4' title 's', \\\n     NaN notitle\n"
      ))
    #expect(one.script.contains("title 's'"))
  }

  @Test(.enabled(if: Gnuplot.find() != nil, "gnuplot is not installed"))
  func rendersAPNGOfTheGivenSize() throws {
    let folder = try TestFolder()
    defer { folder.remove() }
    for (name, plot) in [
      ("below", denoisingPanels()), ("own", denoisingPanels(legend: .perPanel)),
      ("small", PanelPlot(title: "", panels: Array(denoisingPanels().panels[1...]), height: 360)),
    ] {
      let url = try #require(try plot.render(named: name, in: folder.url, gnuplot: Gnuplot.find()))
      let image = try PNGImage.read(from: url)
      #expect(image.width == plot.width && image.height == plot.height, "\(name)")
    }
    #expect(
      try folder.contents() == [
        "below.dat", "below.gp", "below.png", "own.dat", "own.gp", "own.png", "small.dat",
        "small.gp", "small.png",
      ])
  }

  /// Draws the chapter's figure to /tmp/panel-example.png, to be looked at.
  @Test(.enabled(if: Gnuplot.find() != nil, "gnuplot is not installed"))
  func drawsTheExample() throws {
    let folder = URL(fileURLWithPath: "/tmp")
    let url = try #require(
      try denoisingPanels().render(named: "panel-example", in: folder, gnuplot: Gnuplot.find()))
    let image = try PNGImage.read(from: url)
    #expect(image.width == 1560 && image.height == 480)
  }
}
