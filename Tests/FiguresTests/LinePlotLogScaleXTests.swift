import Foundation
import Testing

@testable import Figures

@Test func logScaleXMarksEachOfAFewSizes() {
  let plot = LinePlot(
    title: "GEMM", xLabel: "n", yLabel: "GFLOP/s",
    series: [
      .init("naive", x: [256, 512, 1024], y: [1.0, 0.9, 0.5]),
      .init("tiled", x: [256, 512, 1024, 2048], y: [90.0, 140, 150, 150]),
    ],
    logScaleX: true)
  let text = plot.script(named: "gemm").script
  #expect(text.contains("set logscale x\nset xtics (256, 512, 1024, 2048)\n"))
  // A little room on each side: 256 / 1.15 and 2048 · 1.15.
  #expect(text.contains("set xrange [222.6087:2355.2]\n"))
  #expect(!text.contains("set logscale y"))
  // The default stays linear.
  let linear = LinePlot(
    title: "t", xLabel: "x", yLabel: "y", series: [.init("a", x: [1.0, 10], y: [1.0, 2])])
  #expect(!linear.script(named: "p").script.contains("logscale"))
}

@Test func logScaleXWithManyValuesUsesOneTwoFiveMarks() {
  let x = (1...15).map { Double($0) / 1000 }  // 0.001, 0.002, …, 0.015
  let plot = LinePlot(
    title: "t", xLabel: "learning rate", yLabel: "loss",
    series: [.init("a", x: x, y: x.map { _ in 1.0 })], logScaleX: true, logScaleY: true)
  let text = plot.script(named: "p").script
  #expect(text.contains("set xtics (0.001, 0.002, 0.005, 0.01, 0.02)\n"))
  #expect(text.contains("set logscale y\n"))
}
