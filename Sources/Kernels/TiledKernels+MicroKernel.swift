import CPUSupport

// The micro-kernel: where a large GEMM spends nearly all its time.
//
// It computes one 8x32 tile of c from a packed 8-row strip of a and a packed 32-column strip of b.
// The tile lives in 8 variables of type TileRow, one per row; each is two SIMD16<Float>, two
// 16-float AVX-512 registers, so the whole tile takes 16 of the CPU's 32 vector registers and never
// touches memory inside the loop. Each step p along k:
//   load  b's row p: 32 floats, two vector loads
//   for each of the 8 rows r: c_r += a[r, p] · (b's row p)   (one broadcast, two fused multiply-adds)
// That is 16 vector FMAs (512 multiply-adds) for 2 loads and 8 broadcasts, enough independent work
// to keep both FMA units of a core busy every cycle, as long as the loads find their data in L1.
// a's 8 x kc strip (8 KB) stays there. b's strip (32 x kc, 32 KB) streams in from L2, or from
// the other core's cache when that core packed it, so the loop asks for b's row 8 steps ahead
// with a prefetch instruction (two per step, one per 64-byte cache line): +5% at 1024³ on two
// threads, where the hardware's own prefetching alone left the FMA units waiting.
//
// Why 8x32 and not 4x16 or 16x64? Fewer rows or columns means more loads per FMA, and the loads
// become the bottleneck; more would need more than the 32 registers there are, and the tile would
// spill to memory.
//
// This only becomes real vector code when the compiler knows the CPU has AVX-512: Package.swift
// builds Kernels with -march=native. Without it each SIMD16 FMA turns into 16 calls to `fmaf`.
// (Why not SIMD32<Float> for a row? Swift 6.3 compiles SIMD32's multiply-add lane by lane through
// the stack, about 30 times slower; a pair of SIMD16 becomes exactly two register FMAs.)

/// One 32-float row of the register tile, as two 16-float vectors.
struct TileRow {
  var left = SIMD16<Float>()
  var right = SIMD16<Float>()

  /// self += a · b, lane by lane, as two fused multiply-adds.
  @inline(__always)
  mutating func addProduct(_ a: Float, _ b: TileRow) {
    left.addProduct(a, b.left)
    right.addProduct(a, b.right)
  }

  /// The 32 floats at `p` (any alignment).
  @inline(__always)
  init(loadingFrom p: UnsafeRawPointer) {
    left = p.loadUnaligned(as: SIMD16<Float>.self)
    right = p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
  }

  @inline(__always)
  init() {}

  @inline(__always)
  func store(to p: UnsafeMutableRawPointer) {
    p.storeBytes(of: left, as: SIMD16<Float>.self)
    p.storeBytes(of: right, toByteOffset: 64, as: SIMD16<Float>.self)
  }
}

extension TiledKernels {
  /// How far ahead, in bytes, the micro-kernel prefetches b: 8 steps along k.
  static let prefetchDistance = 8 * tileColumns * MemoryLayout<Float>.stride

  // a is packed (depth, 8), b is packed (depth, 32), c is (rows, columns) with row stride ldc.
  //   c[r, j] (+)= Σ_p a[p·8 + r] · b[p·32 + j]   for r < rows, j < columns
  @inline(never)
  static func microKernel(
    depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool
  ) {
    var c0 = TileRow()
    var c1 = TileRow()
    var c2 = TileRow()
    var c3 = TileRow()
    var c4 = TileRow()
    var c5 = TileRow()
    var c6 = TileRow()
    var c7 = TileRow()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<depth {
      // Ask for b's row 8 steps ahead now, so that it is in L1 when the loop gets there.
      bottleneck_prefetch(b + prefetchDistance)
      bottleneck_prefetch(b + prefetchDistance + 64)
      let bRow = TileRow(loadingFrom: b)
      c0.addProduct(a[0], bRow)
      c1.addProduct(a[1], bRow)
      c2.addProduct(a[2], bRow)
      c3.addProduct(a[3], bRow)
      c4.addProduct(a[4], bRow)
      c5.addProduct(a[5], bRow)
      c6.addProduct(a[6], bRow)
      c7.addProduct(a[7], bRow)
      a += tileRows
      b += tileColumns * MemoryLayout<Float>.stride
    }
    // Write back only the rows and columns that exist; the rest of the tile is padding.
    store(c0, to: c, columns: columns, accumulate: accumulate)
    if rows > 1 { store(c1, to: c + ldc, columns: columns, accumulate: accumulate) }
    if rows > 2 { store(c2, to: c + 2 * ldc, columns: columns, accumulate: accumulate) }
    if rows > 3 { store(c3, to: c + 3 * ldc, columns: columns, accumulate: accumulate) }
    if rows > 4 { store(c4, to: c + 4 * ldc, columns: columns, accumulate: accumulate) }
    if rows > 5 { store(c5, to: c + 5 * ldc, columns: columns, accumulate: accumulate) }
    if rows > 6 { store(c6, to: c + 6 * ldc, columns: columns, accumulate: accumulate) }
    if rows > 7 { store(c7, to: c + 7 * ldc, columns: columns, accumulate: accumulate) }
  }

  // row is one tile row (32); c is (columns), columns ≤ 32.  c[j] (+)= row[j]
  @inline(__always)
  static func store(
    _ row: TileRow, to c: UnsafeMutablePointer<Float>, columns: Int, accumulate: Bool
  ) {
    if columns == tileColumns {
      var sum = row
      if accumulate {
        let old = TileRow(loadingFrom: c)
        sum.left = old.left + row.left
        sum.right = old.right + row.right
      }
      sum.store(to: c)
    } else {
      for j in 0..<columns {
        let value = j < 16 ? row.left[j] : row.right[j - 16]
        c[j] = accumulate ? c[j] + value : value
      }
    }
  }
}
