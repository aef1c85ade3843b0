import CPUSupport

// The packed copy of b that every thread of a GEMM reads, filled a few strips at a time as the
// threads first need them, instead of all at once before they start.
//
// Packing all of b first (1024³: 4 MB, about 0.3 ms on two threads) is a phase in which no
// multiplying happens, with a wait for the slower thread at its end. Packing on first use overlaps
// it with the multiplies: a thread that reaches a group of strips nobody has packed claims it,
// packs it, and multiplies with it while it is still in its cache; a thread that reaches a group
// another thread is packing waits the few microseconds that takes; every later use finds it
// ready. Each group has a flag: 0 not started, 1 being packed, 2 ready (CPUSupport's atomic flag
// functions; the "release" store of 2 and the "acquire" load that sees it make the packed floats
// visible to the reading thread). Whoever packs a strip, its floats are the same, so results stay
// bit-identical.

/// One width block of b, over a group of k-blocks, packed a few strips (of the register tile's
/// width) at a time, on demand.
///
/// The unit of claiming and packing is a group of `stripsPerGroup` neighbouring strips: packing
/// b stored (k, n) row by row across several strips is about four times faster than strip by
/// strip (packB explains why). Groups are kept small enough that a block has at least four, so
/// two threads starting at different groups both have packing to do.
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
  /// Columns in one strip: the register tile's.
  let stripWidth: Int
  /// Strips in the block.
  let columnStrips: Int
  /// Whether full strips are read where they lie in b (stored (k, n)) instead of packed; only a
  /// strip at b's right edge, narrower than a tile, is still packed (reading it in place would
  /// read past the end of b's rows).
  let inPlace: Bool
  /// Strips claimed and packed together; groups per k-block.
  let stripsPerGroup: Int
  let groups: Int
  /// Strip s of k-block d (d counted from firstBlock) is at (d·columnStrips + s)·stripWidth·kc.
  let storage: UnsafeMutablePointer<Float>
  /// One flag per group of strips: group g of k-block d at d·groups + g.
  let flags: UnsafeMutablePointer<CInt>

  init(
    b: UnsafePointer<Float>, transposed: Bool, k: Int, n: Int, column0: Int, firstBlock: Int,
    kc: Int, stripWidth: Int, columnStrips: Int, inPlace: Bool = false,
    storage: UnsafeMutablePointer<Float>, flags: UnsafeMutablePointer<CInt>
  ) {
    self.b = b
    self.transposed = transposed
    self.k = k
    self.n = n
    self.column0 = column0
    self.firstBlock = firstBlock
    self.kc = kc
    self.stripWidth = stripWidth
    self.columnStrips = columnStrips
    self.inPlace = inPlace && !transposed
    // Transposing b (stored (n, k)) reads along its rows anyway: nothing to gain from groups.
    // In place, only the edge strip is ever packed.
    stripsPerGroup = transposed || inPlace ? 1 : max(1, min(8, columnStrips / 4))
    groups = (columnStrips + stripsPerGroup - 1) / stripsPerGroup
    self.storage = storage
    self.flags = flags
  }

  /// Strip `columnStrip` of k-block `block` and the floats from one of its rows to the next:
  /// where it lies in b when `inPlace` and the strip is whole, else its packed copy, packing its
  /// group first if nobody has.
  @inline(__always)
  func strip(block: Int, columnStrip: Int) -> (pointer: UnsafePointer<Float>, stepStride: Int) {
    let col0 = column0 + columnStrip * stripWidth
    if inPlace && col0 + stripWidth <= n {
      return (b + (firstBlock + block) * kc * n + col0, n)
    }
    let group = block * groups + columnStrip / stripsPerGroup
    if bottleneck_flag_load(flags + group) != 2 { packOrWait(group) }
    return (
      UnsafePointer(storage + (block * columnStrips + columnStrip) * stripWidth * kc), stripWidth
    )
  }

  @inline(never)
  private func packOrWait(_ group: Int) {
    let flag = flags + group
    guard bottleneck_flag_claim(flag) != 0 else {
      // Another thread is packing it: a few microseconds.
      spinWait { bottleneck_flag_load(flag) == 2 }
      return
    }
    let nr = stripWidth
    let block = group / groups
    let firstStrip = (group % groups) * stripsPerGroup
    let strips = min(stripsPerGroup, columnStrips - firstStrip)
    let depth0 = (firstBlock + block) * kc
    let col0 = column0 + firstStrip * nr
    TiledKernels.packB(
      b, transposed: transposed, k: k, n: n, column0: col0,
      columns: min(strips * nr, n - col0), depth0: depth0, depth: min(kc, k - depth0),
      stripWidth: nr, into: storage + (block * columnStrips + firstStrip) * nr * kc,
      stripStride: nr * kc)
    bottleneck_flag_store(flag, 2)
  }
}
