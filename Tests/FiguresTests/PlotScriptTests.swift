import Foundation
import Testing

@testable import Figures

@Test func quotingMakesSafeGnuplotStrings() {
  #expect(Gnuplot.quote("loss") == "'loss'")
  #expect(Gnuplot.quote("it's") == "'it''s'")
  #expect(Gnuplot.quote("two\nlines\there") == "'two lines here'")
  // Inside single quotes gnuplot neither runs `backquotes` nor reads \escapes: they stay as text.
  #expect(Gnuplot.quote("`rm -rf x` \\n \"q\"") == "'`rm -rf x` \\n \"q\"'")
}

@Test func numbersAreWrittenInCLocaleWithEightDigits() {
  #expect(Gnuplot.number(0.1) == "0.1")
  #expect(Gnuplot.number(Double(Float(0.1))) == "0.1")
  #expect(Gnuplot.number(1e-5) == "1e-05")
  #expect(Gnuplot.number(-2500) == "-2500")
  #expect(Gnuplot.number(.nan) == "nan")
}

@Test func linePlotScriptAndData() {
  let plot = LinePlot(
    title: "Loss (it's MSE)", xLabel: "epoch", yLabel: "loss",
    series: [
      .init("train", y: [0.5, 0.25] as [Float]), .init("test", x: [1, 2], y: [0.6, 0.3]),
    ],
    logScaleY: true)
  let script = plot.script(named: "loss")
  #expect(script.scriptFileName == "loss.gp" && script.imageFileName == "loss.png")
  #expect(script.dataFiles.map(\.name) == ["loss.dat"])
  #expect(
    script.dataFiles[0].contents == """
      # loss.dat: data for loss.gp, one block per series.
      # index 0: train
      # x y
      1 0.5
      2 0.25


      # index 1: test
      # x y
      1 0.6
      2 0.3

      """)
  let text = script.script
  #expect(text.hasPrefix("# loss.gp: a gnuplot script"))
  #expect(text.contains("if (!exists(\"outfile\")) outfile = 'loss.png'\n"))
  #expect(text.contains("set terminal pngcairo size 900,600 noenhanced font 'sans,12'"))
  #expect(text.contains("set output outfile\n"))
  #expect(text.contains("set title 'Loss (it''s MSE)'\n"))
  #expect(text.contains("set xlabel 'epoch'\nset ylabel 'loss'\n"))
  #expect(text.contains("set key top right opaque box"))
  #expect(text.contains("set logscale y\nset ytics (0.2, 0.5, 1)\n"))
  #expect(
    text.hasSuffix(
      """
      plot 'loss.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#1f77b4' \
      title 'train', \\
           'loss.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#ff7f0e' \
      title 'test'

      """))
}

@Test func emptySeriesAreLeftOutAndNoDataStillPlots() {
  let plot = LinePlot(
    title: "t", xLabel: "x", yLabel: "y",
    series: [.init("empty", y: [Double]()), .init("one", y: [1.0])], showPoints: false)
  let text = plot.script(named: "p").script
  #expect(
    text.contains("plot 'p.dat' index 0 using 1:2 with lines lw 2 lc rgb '#ff7f0e' title 'one'"))
  let nothing = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: []).script(named: "p")
  #expect(
    nothing.script.contains("set label 'no data'") && nothing.script.hasSuffix("plot NaN notitle\n")
  )
}

@Test func scatterPlotHasABlockPerPanelAndClassAndOneLegend() {
  let plot = ScatterPlot(
    title: "Latents",
    panels: [
      .init(
        title: "AE", xLabel: "z1", yLabel: "z2", x: [0, 1, 2], y: [3, 4, 5], labels: [1, 0, 1]),
      .init(title: "PCA", x: [6.5, 7] as [Float], y: [8, 9], labels: [0, 12]),
    ],
    classNames: ["zero", "one"])
  #expect(plot.width == 200 + 2 * 620 && plot.height == 600)
  let script = plot.script(named: "latent")
  #expect(
    script.dataFiles[0].contents == """
      # latent.dat: data for latent.gp, one block per panel and class.
      # index 0: AE: zero
      # x y
      1 4


      # index 1: AE: one
      # x y
      0 3
      2 5


      # index 2: PCA: zero
      # x y
      6.5 8


      # index 3: PCA: class 12
      # x y
      7 9

      """)
  let text = script.script
  #expect(text.contains("set multiplot layout 1,2 title 'Latents'"))
  #expect(text.contains("set title 'AE'\nset xlabel 'z1'\nset ylabel 'z2'\nset key off\n"))
  #expect(
    text.contains(
      "'latent.dat' index 1 using 1:2 with points pt 7 ps 0.35 lc rgb '#ff7f0e' notitle"))
  #expect(
    text.contains(
      "'latent.dat' index 3 using 1:2 with points pt 7 ps 0.35 lc rgb '#2ca02c' notitle"))
  // The legend: once, in the last panel, one entry per label present anywhere.
  #expect(text.components(separatedBy: "set key at screen").count == 2)
  #expect(text.contains("NaN with points pt 7 ps 1.6 lc rgb '#1f77b4' title 'zero'"))
  #expect(text.contains("NaN with points pt 7 ps 1.6 lc rgb '#ff7f0e' title 'one'"))
  #expect(text.contains("title 'class 12'"))
  #expect(text.hasSuffix("unset multiplot\n"))
}

@Test func histogramBinsAndScript() {
  let plot = HistogramPlot(
    title: "Errors", xLabel: "error",
    series: [
      .init("normal", values: [0, 0.1, 0.5, 0.99, 1.0, 3, .nan]),
      .init("odd", values: [0.75] as [Float]),
    ],
    bins: 2, range: 0...1)
  let (edges, counts) = plot.binned()
  #expect(edges == [0, 0.5, 1])
  #expect(counts == [[2, 3], [0, 1]])  // 3 is outside the range, NaN is skipped
  let script = plot.script(named: "errors")
  #expect(
    script.dataFiles[0].contents.hasSuffix(
      """
      # index 0: normal
      # centre height
      0.25 2
      0.75 3


      # index 1: odd
      # centre height
      0.25 0
      0.75 1

      """))
  let text = script.script
  #expect(text.contains("set ylabel 'count'\n"))
  #expect(text.contains("set boxwidth 0.5 absolute\nset xrange [0:1]\n"))
  #expect(text.contains("'errors.dat' index 1 using 1:2 with boxes lc rgb '#ff7f0e' title 'odd'"))

  var normalized = plot
  normalized.normalized = true
  let fractions = normalized.script(named: "errors")
  #expect(fractions.dataFiles[0].contents.contains("0.25 0.4\n0.75 0.6\n"))
  #expect(fractions.script.contains("set ylabel 'fraction of values'\n"))
}

@Test func histogramDefaultRangeCoversTheValues() {
  let plot = HistogramPlot(
    title: "", xLabel: "", series: [.init("a", values: [2.0, 4, 6])], bins: 4)
  #expect(plot.binned().edges == [2, 3, 4, 5, 6])
  #expect(plot.binned().counts == [[1, 0, 1, 1]])  // the largest value falls in the last bin
  let same = HistogramPlot(title: "", xLabel: "", series: [.init("a", values: [5.0, 5])], bins: 1)
  #expect(same.binned().edges == [4.5, 5.5] && same.binned().counts == [[2]])
}

@Test func writeLeavesScriptAndDataSideBySide() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let script = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init("a", y: [1.0, 2])])
    .script(named: "curve")
  let url = try script.write(in: folder.url)
  #expect(url.lastPathComponent == "curve.gp")
  #expect(try folder.contents() == ["curve.dat", "curve.gp"])
  #expect(try String(contentsOf: url, encoding: .utf8) == script.script)
  #expect(
    try String(contentsOf: folder.file("curve.dat"), encoding: .utf8)
      == script.dataFiles[0].contents)
}

@Test func withoutGnuplotOnlyTheScriptIsWritten() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  #expect(Gnuplot.find(searchPath: "") == nil)
  #expect(Gnuplot.find(searchPath: "/nonexistent-\(UUID().uuidString)") == nil)
  let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init("a", y: [1.0, 2])])
  let image = try plot.render(named: "curve", in: folder.url, gnuplot: nil)
  #expect(image == nil)
  #expect(try folder.contents() == ["curve.dat", "curve.gp"])
}

@Test func writingIntoAMissingFolderThrows() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let script = PlotScript(name: "p", script: "plot x\n", dataFiles: [])
  #expect {
    try script.write(in: folder.file("missing"))
  } throws: { error in
    guard case FigureError.cannotWrite(_, let reason) = error else { return false }
    return reason.contains("does not exist")
  }
}

// Rendering needs the gnuplot program; without it these tests are skipped, not failed.
let gnuplot = Gnuplot.find()

@Test(.enabled(if: gnuplot != nil, "gnuplot is not installed"))
func renderedPlotsAreValidPNGs() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let plots: [(String, any Plot, Int, Int)] = [
    (
      "loss",
      LinePlot(
        title: "Loss", xLabel: "epoch", yLabel: "loss",
        series: [.init("train", y: [0.5, 0.3, 0.2]), .init("test", y: [0.6, 0.4, 0.3])],
        logScaleY: true), 900, 600
    ),
    (
      "latent",
      ScatterPlot(
        panels: [
          .init(title: "AE", x: [0, 1, 2], y: [1, 0, 1], labels: [0, 1, 2]),
          .init(title: "PCA", x: [2, 1, 0], y: [0, 1, 0], labels: [0, 1, 2]),
        ], classNames: ["a", "b", "c"]), 1440, 600
    ),
    (
      "errors",
      HistogramPlot(
        title: "Errors", xLabel: "error",
        series: [
          .init("normal", values: [0.1, 0.2, 0.2, 0.3]), .init("odd", values: [0.5, 0.6]),
        ],
        bins: 10, width: 640, height: 480), 640, 480
    ),
  ]
  for (name, plot, width, height) in plots {
    let url = try #require(try plot.render(named: name, in: folder.url, gnuplot: gnuplot))
    #expect(url.lastPathComponent == "\(name).png")
    let image = try PNGImage.read(from: url)
    #expect(image.width == width && image.height == height, "\(name)")
  }
  #expect(
    try folder.contents() == [
      "errors.dat", "errors.gp", "errors.png", "latent.dat", "latent.gp", "latent.png",
      "loss.dat", "loss.gp", "loss.png",
    ])
}

@Test(.enabled(if: gnuplot != nil, "gnuplot is not installed"))
func scriptsRerunByHandDrawTheSamePNG() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [.init("a", y: [1.0, 3, 2])])
  try plot.script(named: "curve").write(in: folder.url)
  // What a learner does: `gnuplot curve.gp` in the folder, without our `outfile` variable.
  try Gnuplot.run(try #require(gnuplot), script: "curve.gp", in: folder.url)
  let image = try PNGImage.read(from: folder.file("curve.png"))
  #expect(image.width == 900 && image.height == 600)
}

@Test(.enabled(if: gnuplot != nil, "gnuplot is not installed"))
func gnuplotFailureIsAnErrorWithItsMessage() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let bad = PlotScript(
    name: "bad", script: "set output outfile\nthis is not a gnuplot command\n", dataFiles: [])
  #expect {
    try bad.render(in: folder.url, gnuplot: gnuplot)
  } throws: { error in
    guard case FigureError.gnuplotFailed(let script, _, let status, let message) = error else {
      return false
    }
    return script == "bad.gp" && status != 0 && message.contains("line 2")
  }
  #expect(try folder.contents() == ["bad.gp"])  // no PNG and no temporary file
}

@Test(.enabled(if: gnuplot != nil, "gnuplot is not installed"))
func titlesCannotRunCommands() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let plot = LinePlot(
    title: "`touch pwned` it's \"fine\"", xLabel: "\\n", yLabel: "y", series: [.init("a", y: [1.0])]
  )
  #expect(try plot.render(named: "safe", in: folder.url, gnuplot: gnuplot) != nil)
  #expect(!FileManager.default.fileExists(atPath: folder.file("pwned").path))
}
