// Sums over a (outer, n, inner) view of x, in two shapes that need different loops:
//
//   inner == 1  "along rows": each output is the sum of n contiguous floats (row sums, or the sum
//               of everything). Four SIMD16 accumulators take 64 floats per step: four
//               independent chains of adds hide the add latency, and each lane adds only every
//               64th float, which also keeps Float rounding error far below the naive Double
//               reference's tolerance. One long row (the sum of everything) is cut into pieces
//               whose partial sums are added in a fixed order, so the result depends only on
//               the thread count, never on timing.
//   inner > 1   "down columns": each output is a column sum over n rows spaced inner apart (the
//               bias gradient). A register tile of 64 neighbouring columns walks down all n rows,
//               so every float of x is loaded once and each sum is written once.
//
// Work is split over outputs (rows, or column tiles), which are disjoint.

extension TiledKernels {
  /// Below this many input floats a sum runs on one thread.
  // Measured in the kernel lab: on one batch (128 x 784, 100K floats) one thread sums at about
  // 90 GB/s, two at about 50 (waking the second costs more than it saves); at 1M floats two
  // threads win (34 against 19 GB/s). So the threshold sits between, at 256K floats.
  static let sumParallelCount = 1 << 18
  /// Columns in one register tile of a column sum: four SIMD16 accumulators.
  static let sumTileColumns = 64

  // x is (outer, n, inner); out is (outer, inner).  out[o, i] = Σ_j x[o, j, i]
  public func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    guard outer > 0, inner > 0 else { return }
    let (workers, chunks) = split(work: outer * n * inner, threshold: Self.sumParallelCount)
    if inner == 1 {
      sumAlongRows(x, rows: outer, n: n, out, workers: workers, chunks: chunks)
    } else {
      // One unit of work is a tile of up to 64 columns of one outer slice.
      let tilesPerSlice = (inner + Self.sumTileColumns - 1) / Self.sumTileColumns
      let units = outer * tilesPerSlice
      let pieces = min(chunks, units)
      parallelFor(chunks: pieces, threads: workers) { chunk in
        for unit in chunkRange(chunk, of: pieces, count: units) {
          let o = unit / tilesPerSlice
          let column0 = (unit % tilesPerSlice) * Self.sumTileColumns
          Self.sumDownColumns(
            x + o * n * inner + column0, n: n, stride: inner,
            columns: min(Self.sumTileColumns, inner - column0), out + o * inner + column0)
        }
      }
    }
  }

  // x is (rows, n); out is (rows).  out[r] = Σ_j x[r, j]
  func sumAlongRows(
    _ x: UnsafePointer<Float>, rows: Int, n: Int, _ out: UnsafeMutablePointer<Float>,
    workers: Int, chunks: Int
  ) {
    if rows >= chunks {
      parallelFor(chunks: chunks, threads: workers) { chunk in
        for r in chunkRange(chunk, of: chunks, count: rows) {
          out[r] = Self.sumContiguous(x + r * n, count: n)
        }
      }
      return
    }
    // Few long rows: cut each row into `pieces` parts, sum the parts in parallel, then add the
    // partial sums of each row in order.
    let pieces = (chunks + rows - 1) / rows
    let partials = allocateFloats(rows * pieces)
    defer { partials.deallocate() }
    parallelFor(chunks: rows * pieces, threads: workers) { task in
      let r = task / pieces
      let part = chunkRange(task % pieces, of: pieces, count: n, multiple: 64)
      partials[task] = Self.sumContiguous(x + r * n + part.lowerBound, count: part.count)
    }
    for r in 0..<rows {
      var total: Float = 0
      for part in 0..<pieces { total += partials[r * pieces + part] }
      out[r] = total
    }
  }

  // x is (count).  returns Σ_i x[i]
  static func sumContiguous(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var s0 = SIMD16<Float>()
    var s1 = SIMD16<Float>()
    var s2 = SIMD16<Float>()
    var s3 = SIMD16<Float>()
    var i = 0
    while i + 64 <= count {
      s0 += loadChunk(x + i)
      s1 += loadChunk(x + i + 16)
      s2 += loadChunk(x + i + 32)
      s3 += loadChunk(x + i + 48)
      i += 64
    }
    while i + 16 <= count {
      s0 += loadChunk(x + i)
      i += 16
    }
    var total = ((s0 + s1) + (s2 + s3)).sum()
    while i < count {
      total += x[i]
      i += 1
    }
    return total
  }

  // x is (n, stride) with only the first `columns` (≤ 64) columns read; out is (columns).
  //   out[i] = Σ_j x[j·stride + i]
  static func sumDownColumns(
    _ x: UnsafePointer<Float>, n: Int, stride: Int, columns: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    var i = 0
    if columns == sumTileColumns {
      var s0 = SIMD16<Float>()
      var s1 = SIMD16<Float>()
      var s2 = SIMD16<Float>()
      var s3 = SIMD16<Float>()
      var row = x
      for _ in 0..<n {
        s0 += loadChunk(row)
        s1 += loadChunk(row + 16)
        s2 += loadChunk(row + 32)
        s3 += loadChunk(row + 48)
        row += stride
      }
      storeChunk(s0, out)
      storeChunk(s1, out + 16)
      storeChunk(s2, out + 32)
      storeChunk(s3, out + 48)
      return
    }
    // A narrower tile at the right edge: 16 columns at a time, then single columns.
    while i + 16 <= columns {
      var s = SIMD16<Float>()
      var row = x + i
      for _ in 0..<n {
        s += loadChunk(row)
        row += stride
      }
      storeChunk(s, out + i)
      i += 16
    }
    while i < columns {
      var s: Float = 0
      var row = x + i
      for _ in 0..<n {
        s += row[0]
        row += stride
      }
      out[i] = s
      i += 1
    }
  }
}
