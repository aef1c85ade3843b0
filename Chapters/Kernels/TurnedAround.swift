/*:
 # Turning a product round: the same sums, less copying

 C = A·B and Cᵀ = Bᵀ·Aᵀ are the same numbers, and computed with the same loop they are the same
 sums in the same order: a multiply-add gives the same bits whichever factor comes first. So the
 tiled GEMM is free to compute either, and they cost different amounts of copying. The loop nest
 packs all of B, k·n floats, and reads A where it lies when B is narrow (at most 256 columns). Take
 the backward pass dx = dy·W of chapter 1's first layer, 128 x 784 with k = 256: as written, it
 packs W, 256 x 784 floats, plus dy once (784 columns is too wide to read it in place), 233,000
 floats in all. Turned round, dxᵀ = Wᵀ·dyᵀ, the roles swap: the new B is dyᵀ (256 x 128 floats to
 pack), and the new A is W, read where it lies, since the new B has only 128 columns. The price:
 the micro-kernel's tiles are now tiles of dxᵀ, so it writes each one to dx as columns, one
 float at a time (RegisterTile's `transposedC`), 128 x 784 floats, once per k-block.

 `GEMMBlocking.transposes` counts the floats each way copies (`floatsCopied`), weighs them by
 the tile's turn costs (`GEMMTile.turnCosts`) and takes the smaller. The count alone is not the
 whole story: a float of c written into a column, one at a time, costs more than a packed one,
 and so does a strip of a read where it lies in a matrix stored (k, m), where each step's few
 floats sit in a cache line of their own. How much more depends on the CPU. On the Zen 3 EPYC
 (6x16 tile) the plain count was right: dx turned round ran 1.17x as fast, the convolution's
 product 1.2x. On the Ice Lake Xeon (8x32 tile, 2 December 2026) dx turned round ran at 0.7 of
 as written, the convolution's at 0.67-0.88: in both, the turned a is W or the column matrix
 read down its columns. So the 8x32 tile charges 1.5 per float written as a column and 1 per
 float read down the columns, which keeps those two as written and still turns the decoder's
 last product, y = h·Wᵀ (the dx shape, but W stored (n, k), so read along its rows: level
 there, 0.95-1.1 in turns). The table times every product both ways, in turns, checks that
 they give the same bits, and prints the raw and the weighed counts: on your machine, see
 whether the weighed count picks the faster way.
 */

import Bottleneck

/// One product timed as written and turned round.
struct TurnedRow {
  var shape: GEMMShape
  var asWritten: Timing
  var transposed: Timing
  var copied: (asWritten: Int, transposed: Int)
  /// The copies weighed by the tile's turn costs: what the default compares.
  var cost: (asWritten: Double, transposed: Double)
  /// Whether the default (`.cheaper`) computes it turned round.
  var chosen: Bool
  var identicalBits: Bool

  func gflops(_ timing: Timing) -> Double { shape.flops / timing.seconds / 1e9 }

  var metric: MetricValue {
    [
      "shape": .text(shape.label), "m": .integer(shape.m), "n": .integer(shape.n),
      "k": .integer(shape.k), "transpose_a": .flag(shape.transposeA),
      "transpose_b": .flag(shape.transposeB),
      "as_written_gflops": .number(gflops(asWritten)),
      "transposed_gflops": .number(gflops(transposed)),
      "as_written_runs": .integer(asWritten.runs), "transposed_runs": .integer(transposed.runs),
      "floats_copied_as_written": .integer(copied.asWritten),
      "floats_copied_transposed": .integer(copied.transposed),
      "weighed_cost_as_written": .number(cost.asWritten),
      "weighed_cost_transposed": .number(cost.transposed),
      "chosen": .text(chosen ? "transposed" : "as written"), "identical_bits": .flag(identicalBits),
    ]
  }

  /// The shapes: chapter 1's first layer (its three products) and the forward product of
  /// chapter 6's Conv(32→64, k3, s2, p1) on 14x14, on one slice of its batch as the tiled
  /// convolution cuts it on a 512 KB L2 (9 images: 7·7·9 = 441 columns; k = 32·3·3 = 288).
  static let shapes =
    GEMMShape.chapterShapes + [
      GEMMShape(label: "decoder y = h·Wᵀ", m: 128, n: 784, k: 256, transposeB: true),
      GEMMShape(label: "conv forward w·col", m: 64, n: 441, k: 288),
    ]
}

/// Times every shape both ways on `threads` threads, interleaved.
func timeTurnedAround(tile: GEMMTile, threads: Int, policy: TimingPolicy) -> [TurnedRow] {
  TurnedRow.shapes.enumerated().compactMap { index, shape in
    let problem = GEMMProblem(shape, seed: 300 + UInt64(index))
    let ways: [(String, GEMMBlocking.Orientation)] = [
      ("as written", .asWritten), ("transposed", .transposed),
    ]
    let blocking = GEMMBlocking(tile: tile)
    let outputs = ways.map { _ in OutputMatrix(count: shape.m * shape.n) }
    let contenders = zip(ways, outputs).map { way, output in
      var forced = blocking
      forced.orientation = way.1
      let kernels = TiledKernels(threads: threads, tile: tile, blocking: forced)
      return Contender(name: way.0) { seconds { problem.multiply(with: kernels, into: &output.c) } }
    }
    let timings = timeInterleaved(contenders, policy: policy)
    guard let asWritten = timings["as written"], let transposed = timings["transposed"] else {
      return nil
    }
    let copied = blocking.floatsCopied(
      m: shape.m, n: shape.n, k: shape.k, transposeA: shape.transposeA,
      transposeB: shape.transposeB)
    return TurnedRow(
      shape: shape, asWritten: asWritten, transposed: transposed,
      copied: (copied.asWritten, copied.transposed),
      cost: blocking.weighedCost(
        m: shape.m, n: shape.n, k: shape.k, transposeA: shape.transposeA,
        transposeB: shape.transposeB),
      chosen: blocking.transposes(
        m: shape.m, n: shape.n, k: shape.k, transposeA: shape.transposeA,
        transposeB: shape.transposeB),
      identicalBits: outputs[0].c.map(\.bitPattern) == outputs[1].c.map(\.bitPattern))
  }
}

/// The table: floats copied each way, GFLOP/s each way, their ratio, and the default's choice.
func turnedTable(_ rows: [TurnedRow]) -> TextTable {
  var table = TextTable([
    "shape", "m x n x k", "copied as written", "turned", "weighed as written", "turned",
    "GFLOP/s as written", "turned",
    "turned / as written", "chosen", "bits",
  ])
  for row in rows {
    table.add([
      row.shape.label, row.shape.text, "\(row.copied.asWritten)", "\(row.copied.transposed)",
      "\(Int(row.cost.asWritten.rounded()))", "\(Int(row.cost.transposed.rounded()))",
      gflopsText(row.gflops(row.asWritten)), gflopsText(row.gflops(row.transposed)),
      Format.significant(row.gflops(row.transposed) / row.gflops(row.asWritten), digits: 2),
      row.chosen ? "turned" : "as written", row.identicalBits ? "same" : "DIFFERENT",
    ])
  }
  return table
}
