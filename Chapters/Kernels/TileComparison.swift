/*:
 # One tile per register file, and what a tile that does not fit costs

 The micro-kernel keeps a tile of C in vector registers for a whole k-block
 (Sources/Kernels/RegisterTile.swift). How big a tile? As big as the registers allow, because each
 step along k loads one row of B's strip and broadcasts one value of A's per row of the tile:

 | tile | vectors per row | accumulators | + B's row + broadcast | loads per step | FMAs per step |
 |------|-----------------|--------------|-----------------------|----------------|---------------|
 | 8x32 (AVX-512, 16 lanes) | 2 | 16 | 19 of 32 | 2 + 8 | 16 |
 | 6x16 (AVX2, 8 lanes)     | 2 | 12 | 15 of 16 | 2 + 6 | 12 |
 | 8x12 (NEON, 4 lanes)     | 3 | 24 | 28 of 32 | 3 + 8 | 24 |
 | 6x8 (SSE2, 4 lanes)      | 2 | 12 | 15 of 16 | 2 + 6 | 12 |

 Each has at least 12 independent accumulators: more than the 8 (FMA latency 4 x 2 units) that
 keep both FMA units busy (PeakFLOPS.swift), and at least 1.5 FMAs per load.

 Put the AVX-512 tile on an AVX2 machine and its 16 accumulators of 16 lanes become 32 registers
 of 8, twice what there is: the compiler keeps most of the tile on the stack and loads and stores
 it on every step along k. The 8x12 tile needs 28 registers and spills on x86's 16 just the same.
 All four tiles are one generic function (`RegisterTile<rows, vectors, Vector,
 prefetchSteps>`), so they all compile and run everywhere; the table below times each on this
 machine, one thread, so you can see what a spill costs. To see it in the machine code, run
 `python3 Chapters/Kernels/tile_loops.py` after a release build: for each specialisation's
 inner loop it counts the FMAs, the vector stores to memory and the loads from the stack
 (`(%rsp)`, `(%rbp)`) between them. On the AVX2 EPYC: 6x16 and 6x8 have none, 8x12 has 17 stores and 17 loads per
 24 FMAs, 8x32 25 and 25 per 32.

 That check is also how we found that "the same machine code as a hand-written kernel" is not
 guaranteed. A generic kernel leaves it to the optimiser to turn the tile (an InlineArray) into
 registers, and one loop elsewhere in the function that read the tile with an index known only
 at run time (the write-back, up to `validRows`) was enough for it to keep the tile in memory
 as well: it loaded the accumulators once before the loop but stored every one of them after
 every step. Built for AVX-512 (32 registers, as many as NEON has), the NEON tile did that with
 all 24 of its accumulators, and small edits elsewhere in the function did the same to the
 8x32 tile, while 6x16 was always spared. The results stayed right; only the machine code
 showed it. The write-back now reads a copy of the tile, and so do the loads of C that a tile
 starting from C needs (3 Dec 2026: loaded into the tile directly, every tile but 8x32 stored its
 accumulators each step; returned by value, 8x32 stored one a step into the return slot, which
 is not the stack, so the check now counts every vector store in the loop). Every tile that fits
 its register file is clean in AVX2 and AVX-512 builds, and in an arm64 one: with no arm64 machine to hand,
 `bash Chapters/Kernels/tile_loops_arm64.sh` cross-compiles RegisterTile.swift for aarch64 with
 the same toolchain and reads that (NEON's 8x12: 24 `fmla` by element per step, 3 vector loads
 of b, 8 floats of a, no stack traffic; 6x16 and 6x8 clean too). CI runs both checks on every
 change.
 */

import Bottleneck

/// One tile timed on one thread at one size.
struct TileRow {
  var tile: GEMMTile
  var shape: GEMMShape
  var seconds: Double
  var runs: Int
  var gflops: Double { shape.flops / seconds / 1e9 }

  var metric: MetricValue {
    [
      "tile": .text(tile.rawValue), "isa": .text(tile.isa.description),
      "registers_needed": .integer(tile.registersNeeded), "m": .integer(shape.m),
      "n": .integer(shape.n), "k": .integer(shape.k), "threads": 1,
      "seconds": .number(seconds), "runs": .integer(runs), "gflops": .number(gflops),
    ]
  }
}

/// Times every tile with one thread on an n x n x n multiply, interleaved.
func timeTiles(size: Int, policy: TimingPolicy) -> [TileRow] {
  let shape = GEMMShape(label: "square", m: size, n: size, k: size)
  let problem = GEMMProblem(shape, seed: 7)
  let output = OutputMatrix(count: size * size)
  let contenders = GEMMTile.allCases.map { tile in
    let kernels = TiledKernels(threads: 1, tile: tile)
    return Contender(name: tile.rawValue) {
      seconds { problem.multiply(with: kernels, into: &output.c) }
    }
  }
  let timings = timeInterleaved(contenders, policy: policy)
  return GEMMTile.allCases.compactMap { tile in
    timings[tile.rawValue].map {
      TileRow(tile: tile, shape: shape, seconds: $0.seconds, runs: $0.runs)
    }
  }
}

/// The tile table: GFLOP/s, the share of the 1-thread peak, and the registers each tile needs
/// against the ones this machine has.
func tileTable(_ rows: [TileRow], chosen: GEMMTile, peak: MeasuredPeak?) -> TextTable {
  var table = TextTable(["tile", "made for", "registers needed", "GFLOP/s", "% of peak", ""])
  for row in rows {
    let share = peak.map { Format.percent(row.gflops / $0.oneThread) } ?? "-"
    let fits = !row.tile.spills(on: .usable)
    table.add([
      row.tile.rawValue, row.tile.isa.description, "\(row.tile.registersNeeded)",
      gflopsText(row.gflops), share,
      (row.tile == chosen ? "chosen" : "") + (fits ? "" : " spills"),
    ])
  }
  return table
}
