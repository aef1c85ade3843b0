// The micro-kernel alone, on strips that never leave L1: the second ceiling of the kernel lab.
//
// The lab's first ceiling, the FMA peak, is a loop that touches no memory at all. The
// micro-kernel (RegisterTile.swift) cannot be that: each step along k it loads a row of b's
// strip and broadcasts a value of a's per row of the tile, so it also needs the load units and
// the L1 cache. Timing it on one strip of a and one of b, small enough to stay in L1 call after
// call, says what the kernel reaches when no cache misses get in the way; the whole GEMM's
// distance from it is what packing, blocking and the caches below L1 cost. (On the 2-core AMD
// EPYC this lab was tuned on, timed 20 times in turns with the FMA loop, this ran anywhere from
// 50 to 84 GFLOP/s, changing from one fraction of a second to the next, while the FMA loop held
// at 80-92 in 18 of the 20: a loop that touches memory shares the core with whatever else the
// host runs, and the register-only loop does not.)

/// One packed strip of a, one of b and a tile of c, for running the micro-kernel over and over
/// with everything in L1.
public final class MicroKernelInL1 {
  public let tile: GEMMTile
  /// Steps along k per call: by default as many as keep both strips in L1 (`depthInL1`).
  public let depth: Int

  /// The deepest strips of a and b (a multiple of 8, at most 256) that fit together in 85% of
  /// an L1 of `l1` bytes. (The GEMM's own k-blocks are deeper, up to 1024, since only its strip
  /// of a has to stay in L1 while b's strips stream past (GEMMBlocking.swift); this ceiling
  /// keeps both strips in L1.)
  public static func depthInL1(tile: GEMMTile, l1: Int = CacheSizes.l1) -> Int {
    let depth = l1 * 85 / 100 / ((tile.rows + tile.columns) * MemoryLayout<Float>.stride)
    return max(8, min(256, depth / 8 * 8))
  }
  let a: UnsafeMutablePointer<Float>
  let b: UnsafeMutablePointer<Float>
  let c: UnsafeMutablePointer<Float>

  /// Floating-point operations of one call: 2 · rows · columns · depth.
  public var flopsPerCall: Double { Double(2 * tile.rows * tile.columns * depth) }

  public init(tile: GEMMTile, depth: Int? = nil) {
    self.tile = tile
    self.depth = max(1, depth ?? Self.depthInL1(tile: tile))
    a = allocateFloats(tile.rows * self.depth)
    b = allocateFloats(self.depth * tile.columns)
    c = allocateFloats(tile.rows * tile.columns)
    // Small values of both signs: c, which every call adds to, grows slowly and stays far from
    // overflow and from subnormals.
    for i in 0..<(tile.rows * self.depth) { a[i] = Float(i % 7 - 3) * 1e-3 }
    for i in 0..<(self.depth * tile.columns) { b[i] = Float(i % 5 - 2) * 1e-3 }
    c.update(repeating: 0, count: tile.rows * tile.columns)
  }

  deinit {
    a.deallocate()
    b.deallocate()
    c.deallocate()
  }

  /// Runs the micro-kernel `calls` times: c += (a's strip)·(b's strip), each time.
  public func run(calls: Int) {
    let product = TileProduct(
      depth: depth, a: a, aStepStride: tile.rows, aRowStride: 1, b: b, bStepStride: tile.columns,
      c: c, ldc: tile.columns,
      validRows: tile.rows, validColumns: tile.columns, accumulate: true)
    for _ in 0..<calls { tile.multiply(product) }
  }

  /// The sum of c, so that a caller can keep the work from being optimised away.
  public var checksum: Float {
    (0..<(tile.rows * tile.columns)).reduce(0) { $0 + c[$1] }
  }
}
