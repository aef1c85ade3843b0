import CPUSupport

// The micro-kernel: where a large GEMM spends nearly all its time.
//
// It computes one `rows` x `columns` tile of c from a packed strip of a (`rows` floats per step
// along k) and a packed strip of b (`columns` floats per step). The tile lives in
// rows · vectors SIMD registers (`Vector`, e.g. SIMD8<Float> for one 256-bit AVX2 register) and
// never touches memory inside the loop. Each step p along k:
//   load  b's row p: `vectors` vector loads
//   for each row r: c_r += a[r, p] · (b's row p)   (one broadcast, `vectors` fused multiply-adds)
// That is rows · vectors FMAs for `vectors` loads and `rows` broadcasts.
//
// Which shape? Three limits decide it (GEMMTile.swift lists the tiles):
//   registers   the accumulators, plus b's row, plus a broadcast, must fit the register file
//               (16 on AVX2, 32 on AVX-512 and NEON), or the tile spills to memory every step;
//   latency     an FMA takes about 4 cycles and a core starts 2 per cycle, so at least 8
//               independent accumulators are needed to keep both units busy;
//   loads       a core loads 2 (some 3) vectors per cycle, so FMAs per load (rows · vectors
//               over rows + vectors) must be well above 1.
//
// One generic function serves every tile. `rows`, `vectors` (and `prefetchSteps`, how far
// ahead the loop asks for b) are value generic parameters
// (Swift 6.2's `let` generics) and the tile is an InlineArray of InlineArrays of vectors; once the
// compiler specialises it for, say, 6 rows of 2 SIMD8, every loop over rows and vectors has a
// constant trip count, is unrolled, and the accumulators become plain registers: the machine code
// is the one a hand-written 6x16 kernel gives (Chapters/Kernels explains how to check).

/// One tile product: c (validRows, validColumns), row stride ldc, (+)= the strips a·b; or, when
/// `transposedC`, the tile is written to c transposed: element (r, j) at c[j·ldc + r].
struct TileProduct {
  let depth: Int
  /// Row r of a's strip at step p is a[p·aStepStride + r·aRowStride]. One of the two strides is
  /// 1: a packed strip is (aStepStride rows, aRowStride 1); a strip read where it lies is
  /// (m, 1) in a stored (k, m) matrix and (1, k) in a stored (m, k) one (TiledKernels+GEMM.swift
  /// says when the GEMM does that).
  let a: UnsafePointer<Float>, aStepStride: Int, aRowStride: Int
  /// Row p of b's strip (the tile's columns floats) starts at b + p·bStepStride: packed
  /// (depth, columns), bStepStride is columns; read where it lies in a stored (k, n) b, it is n
  /// (TiledKernels+GEMM.swift says when).
  let b: UnsafePointer<Float>, bStepStride: Int
  let c: UnsafeMutablePointer<Float>, ldc: Int
  let validRows: Int, validColumns: Int
  let accumulate: Bool
  /// Write the tile as columns of c: the GEMM computes cᵀ = op(b)ᵀ·op(a)ᵀ when that packs fewer
  /// floats (TiledKernels+GEMM.swift).
  var transposedC = false
}

extension GEMMTile {
  //   c[r, j] (+)= Σ_p a[p·rows + r] · b[p·columns + j]   for r < validRows, j < validColumns
  // One switch per tile product picks the specialisation. It sits in this file, next to the
  // generic code, so that the compiler can specialise it even when it compiles one file at a
  // time (debug builds, which the tests use): called from another file, a generic function
  // runs unspecialised, with every SIMD operation a call through a table, hundreds of times
  // slower (the tile tests took 5 minutes instead of 5 seconds).
  @inline(__always)
  func multiply(_ product: TileProduct) {
    switch self {
    // The last parameter: how many steps ahead the loop prefetches b's strip (0: never).
    // Measured where it could be: on the AVX-512 Xeon, 8 steps ahead was part of 298 -> 324
    // GFLOP/s at 1024³; on the AVX2 EPYC, no prefetch at all was 5-9% faster than 8 steps
    // ahead (4 and 16 were level with 8) at 512³ and 1024³ on one thread and two, and 1-8% on
    // chapter 1's 17 multiplies of a training step: the hardware prefetcher follows the
    // strips, read in order, by itself, and the instruction takes a load slot every step.
    // NEON and the SSE2 fallback keep 8, untimed.
    case .avx512: RegisterTile<8, 2, SIMD16<Float>, 8>.run(product)
    case .avx2: RegisterTile<6, 2, SIMD8<Float>, 0>.run(product)
    case .neon: RegisterTile<8, 3, SIMD4<Float>, 8>.run(product)
    case .portable: RegisterTile<6, 2, SIMD4<Float>, 8>.run(product)
    }
  }
}

/// A register tile for the tiled GEMM: `rows` rows of c, each `vectors` SIMD vectors wide; the
/// loop prefetches b's strip `prefetchSteps` steps ahead (0: not at all).
enum RegisterTile<let rows: Int, let vectors: Int, Vector: SIMD, let prefetchSteps: Int>
where Vector.Scalar == Float {
  static var columns: Int { vectors * Vector.scalarCount }
  static var rowBytes: Int { columns * MemoryLayout<Float>.stride }

  typealias Row = InlineArray<vectors, Vector>

  // a's strip is laid out as TileProduct says, b is packed (depth, columns), c is (validRows,
  // validColumns) with row stride ldc:
  //   c[r, j] (+)= Σ_p a[p·aStepStride + r·aRowStride] · b[p·columns + j]
  //                                                    for r < validRows, j < validColumns
  // The tile starts from c when the product adds to it, so each element of c is one chain of
  // multiply-adds along the whole of k, c + a₀b₀ + a₁b₁ + …, however k is cut into blocks: the
  // depth of a block changes the speed, never the bits. (Starting from zero and adding the
  // block's sum to c at the end, as this kernel did until 3 Dec 2026, rounds each block's sum on
  // its own, so the bits depended on the depth.)
  @inline(never)
  static func run(_ product: TileProduct) {
    if !product.accumulate { prefetchC(product) }
    if product.validRows == rows && product.validColumns == columns && !product.transposedC {
      multiplyWholeTile(product)
    } else {
      multiply(product, from: startingTile(product))
    }
  }

  // A whole tile, written as rows (nearly every tile of a large product): c's tile is loaded
  // into the registers, the k-loop runs, and the registers go back to c, every index a constant,
  // so nothing passes through memory on the way. (With the edge tiles' path below for these
  // too, a 128-step product, dW = dyᵀ·x of chapter 1, ran 3-5% slower on one thread.)
  @inline(never)
  static func multiplyWholeTile(_ product: TileProduct) {
    let raw = UnsafeMutableRawPointer(product.c)
    func offset(_ r: Int, _ v: Int) -> Int {
      r * product.ldc * MemoryLayout<Float>.stride + v * MemoryLayout<Vector>.stride
    }
    var start = zero
    if product.accumulate {
      for r in 0..<rows {
        for v in 0..<vectors {
          start[unchecked: r][unchecked: v] = raw.loadUnaligned(
            fromByteOffset: offset(r, v), as: Vector.self)
        }
      }
    }
    var tile = start
    steps(&tile, product)
    let result = tile
    for r in 0..<rows {
      for v in 0..<vectors {
        raw.storeBytes(
          of: result[unchecked: r][unchecked: v], toByteOffset: offset(r, v), as: Vector.self)
      }
    }
  }

  // An edge tile, or one written as columns: the k-loop and the write-back, from a tile of c
  // read beforehand (`startingTile`):
  //   c[r, j] = start[r, j] + Σ_p a[p·aStepStride + r·aRowStride] · b[p·columns + j]
  // The tile comes in by value, from a function of its own, and the write-back reads a copy of
  // it, because the loads of c and the write-back run to validRows and validColumns, known only
  // at run time, and such an index into the tile itself made the compiler keep the whole tile in
  // memory for the k-loop too: it kept the loads out of the loop but stored every accumulator on
  // every step (24 stores per 24 FMAs in NEON's 8x12 in an AVX-512 build, objdump; after small
  // edits, 16 per 16 in AVX-512's 8x32; with c's loads inlined here, every tile but 8x32; and
  // returning the tile instead of writing it back here, one store a step in 8x32 and 24 in
  // 8x12). This way every tile that fits its register file keeps its accumulators in registers
  // (Chapters/Kernels/tile_loops.py checks both functions, and CI runs it).
  @inline(never)
  static func multiply(_ product: TileProduct, from start: InlineArray<rows, Row>) {
    var tile = start
    steps(&tile, product)
    // Write back only the rows and columns that exist; the rest of the tile is padding.
    let result = tile
    if product.transposedC {
      storeTransposed(result, to: product.c, ldc: product.ldc, product: product)
      return
    }
    for r in 0..<rows where r < product.validRows {
      store(
        result[unchecked: r], to: product.c + r * product.ldc, columns: product.validColumns)
    }
  }

  // The k-loop: tile += the strips' product, one step along k at a time.
  @inline(__always)
  static func steps(_ tile: inout InlineArray<rows, Row>, _ product: TileProduct) {
    var b = UnsafeRawPointer(product.b)
    let bStep = product.bStepStride * MemoryLayout<Float>.stride
    if product.aRowStride == 1 {
      // A step's rows of a are neighbours: one pointer, moved on by a step's stride.
      var a = product.a
      for _ in 0..<product.depth {
        step(&tile, b: b, bStep: bStep) { a[$0] }
        a += product.aStepStride
        b += bStep
      }
    } else {
      // a's rows are aRowStride apart and each runs along k: one pointer per row, all moved on
      // by one float a step. (The compiler keeps the row pointers in general registers, which
      // the vector registers' budget does not count.)
      var rowsOfA = InlineArray<rows, UnsafePointer<Float>>(repeating: product.a)
      for r in 0..<rows { rowsOfA[unchecked: r] = product.a + r * product.aRowStride }
      for p in 0..<product.depth {
        step(&tile, b: b, bStep: bStep) { rowsOfA[unchecked: $0][p] }
        b += bStep
      }
    }
  }

  static var zero: InlineArray<rows, Row> {
    InlineArray<rows, Row>(repeating: Row(repeating: Vector()))
  }

  /// The tile of c the product adds to: its valid rows and columns (the rest zero), read as rows,
  /// or as columns when `transposedC`; zero when the product does not add to c.
  @inline(__always)
  static func startingTile(_ product: TileProduct) -> InlineArray<rows, Row> {
    let (c, ldc) = (product.c, product.ldc)
    var start = zero
    if !product.accumulate {
      return start
    } else if product.transposedC {
      for j in 0..<product.validColumns {
        let column = c + j * ldc
        for r in 0..<rows where r < product.validRows {
          start[unchecked: r][unchecked: j / Vector.scalarCount][j % Vector.scalarCount] =
            column[r]
        }
      }
    } else if product.validColumns == columns {
      let raw = UnsafeRawPointer(c)
      for r in 0..<rows where r < product.validRows {
        for v in 0..<vectors {
          start[unchecked: r][unchecked: v] = raw.loadUnaligned(
            fromByteOffset: (r * ldc) * MemoryLayout<Float>.stride
              + v * MemoryLayout<Vector>.stride, as: Vector.self)
        }
      }
    } else {
      for r in 0..<rows where r < product.validRows {
        for j in 0..<product.validColumns {
          start[unchecked: r][unchecked: j / Vector.scalarCount][j % Vector.scalarCount] =
            c[r * ldc + j]
        }
      }
    }
    return start
  }

  /// Asks for the tile's lines of c (its rows, or its columns when `transposedC`) before the k-loop
  /// of a tile that overwrites c: the loop takes hundreds of cycles, and the write-back at its end
  /// then finds them in L1 instead of waiting on L2 or L3 for each (a store needs the line too). A
  /// tile that adds to c loads it before the loop anyway, so it is not asked for. Measured on the
  /// 2-core EPYC: 3-8% on one thread, up to 25% on two, on chapter 1's shapes and 512³-2048³.
  /// (Asking 16 steps before the end instead, as OpenBLAS does, was level with this, timed in
  /// turns.)
  @inline(__always)
  static func prefetchC(_ product: TileProduct) {
    let (c, ldc) = (product.c, product.ldc)
    if product.transposedC {
      for j in 0..<columns where j < product.validColumns {
        bottleneck_prefetch(c + j * ldc)
        bottleneck_prefetch(c + j * ldc + rows - 1)
      }
    } else {
      for r in 0..<rows where r < product.validRows {
        bottleneck_prefetch(c + r * ldc)
        bottleneck_prefetch(c + r * ldc + columns - 1)
      }
    }
  }

  /// Column j of the tile becomes the validRows floats c[j·ldc ..< j·ldc + validRows]: one float
  /// at a time, so about three instructions per float instead of three per vector. Once per
  /// k-block, that is a few percent of the tile's time after 256 steps, a third after 32
  /// (GEMMBlocking.floatsCopied counts it, so shallow products are not turned round).
  @inline(__always)
  static func storeTransposed(
    _ tile: InlineArray<rows, Row>, to c: UnsafeMutablePointer<Float>, ldc: Int,
    product: TileProduct
  ) {
    for j in 0..<product.validColumns {
      let v = j / Vector.scalarCount
      let lane = j % Vector.scalarCount
      let column = c + j * ldc
      for r in 0..<rows where r < product.validRows {
        column[r] = tile[unchecked: r][unchecked: v][lane]
      }
    }
  }

  // One step along k: tile[r] += a(r) · (b's row) for every row r of the tile.
  @inline(__always)
  static func step(
    _ tile: inout InlineArray<rows, Row>, b: UnsafeRawPointer, bStep: Int, a: (Int) -> Float
  ) {
    // Ask for b's row prefetchSteps steps ahead now, so that it is in L1 when the loop gets
    // there: one prefetch per 64-byte cache line of the row. (A constant of the tile: a tile
    // without it has no prefetch in its loop at all.)
    if prefetchSteps > 0 {
      for line in Swift.stride(from: 0, to: rowBytes, by: 64) {
        bottleneck_prefetch(b + prefetchSteps * bStep + line)
      }
    }
    var bRow = Row(repeating: Vector())
    for v in 0..<vectors {
      bRow[unchecked: v] = b.loadUnaligned(
        fromByteOffset: v * MemoryLayout<Vector>.stride, as: Vector.self)
    }
    for r in 0..<rows {
      let ar = a(r)
      for v in 0..<vectors {
        tile[unchecked: r][unchecked: v].addProduct(ar, bRow[unchecked: v])
      }
    }
  }

  // row is one tile row (columns floats); c is (count), count ≤ columns.  c[j] = row[j]
  @inline(__always)
  static func store(_ row: Row, to c: UnsafeMutablePointer<Float>, columns count: Int) {
    let raw = UnsafeMutableRawPointer(c)
    if count == columns {
      for v in 0..<vectors {
        raw.storeBytes(
          of: row[unchecked: v], toByteOffset: v * MemoryLayout<Vector>.stride, as: Vector.self)
      }
    } else {
      // A tile at c's right edge: only its first `count` columns exist.
      for j in 0..<count {
        c[j] = row[unchecked: j / Vector.scalarCount][j % Vector.scalarCount]
      }
    }
  }
}
