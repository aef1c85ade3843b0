import CPUSupport

// The packed copy of b that every thread of a GEMM reads, filled strip by strip as the threads
// first need each strip, instead of all at once before they start.
//
// Packing all of b first (1024³: 4 MB, about 0.3 ms on two threads) is a phase in which no
// multiplying happens, with a wait for the slower thread at its end. Packing on first use overlaps
// it with the multiplies: a thread that reaches a strip nobody has packed claims it, packs it, and
// multiplies with it while it is still in its cache; a thread that reaches a strip another thread
// is packing waits the microsecond or two that takes; every later use finds it ready. Each strip
// has a flag: 0 not started, 1 being packed, 2 ready (CPUSupport's atomic flag functions; the
// "release" store of 2 and the "acquire" load that sees it make the packed floats visible to the
// reading thread). Whoever packs a strip, its floats are the same, so results stay bit-identical.

/// One 32-column width block of b, over a group of k-blocks, packed strip by strip on demand.
struct PackedB {
  // b is (k, n), or stored (n, k) when transposed.
  let b: UnsafePointer<Float>
  let transposed: Bool
  let k: Int
  let n: Int
  /// The block's first column, first k-block, and depth of a (full) k-block.
  let column0: Int
  let firstBlock: Int
  let kc: Int
  /// 32-column strips in the block.
  let columnStrips: Int
  /// Strip s of k-block d (d counted from firstBlock) is at (d·columnStrips + s)·32·kc.
  let storage: UnsafeMutablePointer<Float>
  /// One flag per strip, in the same order.
  let flags: UnsafeMutablePointer<CInt>

  /// The packed strip `columnStrip` of k-block `block`, packing it first if nobody has.
  @inline(__always)
  func strip(block: Int, columnStrip: Int) -> UnsafePointer<Float> {
    let index = block * columnStrips + columnStrip
    if bottleneck_flag_load(flags + index) != 2 { packOrWait(index) }
    return UnsafePointer(storage + index * TiledKernels.tileColumns * kc)
  }

  @inline(never)
  private func packOrWait(_ index: Int) {
    let flag = flags + index
    guard bottleneck_flag_claim(flag) != 0 else {
      // Another thread is packing it: a microsecond or two.
      spinWait { bottleneck_flag_load(flag) == 2 }
      return
    }
    let nr = TiledKernels.tileColumns
    let depth0 = (firstBlock + index / columnStrips) * kc
    let col0 = column0 + (index % columnStrips) * nr
    TiledKernels.packB(
      b, transposed: transposed, k: k, n: n, column0: col0, columns: min(nr, n - col0),
      depth0: depth0, depth: min(kc, k - depth0), into: storage + index * nr * kc)
    bottleneck_flag_store(flag, 2)
  }
}
