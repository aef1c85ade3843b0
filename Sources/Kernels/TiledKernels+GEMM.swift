// The fast matrix multiply, in the style of GotoBLAS/BLIS: a loop nest around a tiny register
// tile, with the operands copied ("packed") into the order the tile reads them.
//
// Why not three loops? Each multiply-add needs one float of a and one of b. Read straight from the
// matrices, most of those reads miss the cache, and the CPU waits on memory instead of computing.
// The fix is reuse at every level of the memory hierarchy:
//   registers  the micro-kernel keeps a tile of c in registers (8x32 in 16 AVX-512 registers,
//              6x16 in 12 AVX2 ones: GEMMTile.swift) and, for each step along k, does 8·32 =
//              256 (or 6·16 = 96) multiply-adds with just 8 + 32 (6 + 16) loaded floats.
//   L1 cache   one packed strip of a (rows x kc floats, up to two thirds of L1) is reused
//              against every strip of b in a sweep, so it stays in L1 while b's strips stream
//              past. (When a task meets at most 256 columns of b, the strip is read where it
//              lies in a instead: with so little reuse, the copy would cost more than it saves.
//              GEMMBlocking.swift.)
//   L2 cache   one packed block of b (kc x nc floats, at most 1024 x 1024 = 4 MB) is reused by
//              every row strip of a. Each row strip sweeps across part of it (sweepWidth
//              columns, half of L2: 1024 x 128 floats on a 1 MB L2) before the next row strip
//              does the same, so the strips of b come from L2 and not from L3; its strips are
//              read in order and prefetched. (A short product, at most 256 rows of a and one
//              k-block, reads b where it lies instead: each packed float of b would be read by
//              only a few strips of a, too few to pay for the copy. GEMMBlocking.inPlaceRowsB.)
// kc (the depth of a block) and nc (its width) follow the tile and the cache sizes the system
// reports (GEMMBlocking.swift).
// Blocking over k means c is read and written once per k-block instead of once overall; with kc
// in the hundreds that is one load and store per hundreds of multiply-adds. Each element of c
// is still one chain of multiply-adds along the whole of k: a tile that adds to c starts from
// it (RegisterTile.swift), so the blocks change the speed and never the bits.
//
// Threads split the work into rectangles of tiles of c (disjoint, so no locks and no race);
// each task runs every k-block of its rectangle in order, packing its own strips of a for that
// k-block a group at a time (at most a quarter of L2: 8 strips of 8 x 1024, 256 KB, on the
// Zen 5 EPYC) and
// sweeping b's block across each group. (Packing all of a up front, by all threads, would write
// it out and read it back from L3 or memory; at 1024³ with two threads that round trip cost a
// few percent. Packing all of a task's rows at once, the first version of this, kept a buffer of
// m x kc floats (10 MB for a 10,000-row product): chapter 3's peak memory went from 274 to
// 304 MB with it, 283 with groups.) b's
// packed block, which every task reads, is filled a few strips at a time by whichever thread
// first needs them (PackedB.swift), so packing overlaps multiplying and there is no wait between
// a packing phase and a multiplying phase. One parallelFor per call, on threads that stay awake
// between calls (WorkerPool.swift), is what lets the chapter's small GEMMs (a fraction of a
// millisecond) gain from the second core. (Only a GEMM whose packed b would pass 16 MB goes through k in
// several groups of blocks.)
// Which way round? c = op(a)·op(b) and cᵀ = op(b)ᵀ·op(a)ᵀ are the same sums in the same order,
// so the GEMM may compute either, and packs differently for each: b is packed whole, and a is
// read where it lies when b is narrow. For a short, wide product that is a choice between
// packing a large b (dx = dy·W in chapter 1: W, 256 x 784 floats) and packing the short a
// (dy, 128 x 256) and writing c's tiles as columns, one float at a time.
// GEMMBlocking.transposes counts the floats each way copies, weighs them by the tile's turn
// costs (GEMMTile.turnCosts) and picks the smaller. On the Zen 3 EPYC (6x16 tile, timed in
// turns, 2 Dec 2026) dx = dy·W turned ran 1.0-1.2x as fast as written, a convolution's forward
// and weight-gradient products 1.07-1.33x, on one thread and two; the products the count keeps
// as written gain on two threads and lose on one, or lose on both (k = 32: a third). On the Ice
// Lake Xeon (8x32 tile) turning lost wherever the turned a is read down its columns (dx: 0.7),
// and the 8x32 tile's costs say so. The kernel lab's "Which way round" table times both
// ways. The loop nest below never knows: it computes an (m, n) product, whose tiles go to c as
// rows or, when `transposedC`, as columns.
// k is never split across threads: each element of c is summed in the same order whatever the
// thread count, so results are bit-identical run after run, and across thread counts.

extension TiledKernels {
  /// Below this many floating-point operations (2·m·n·k), one thread is faster than two.
  // With the pool's helpers spinning between calls (WorkerPool.swift), chapter 1's six products
  // with a 32-wide side (128 x 32 x 128 and the like: 2^20 operations) ran 1.1-1.5 times as fast
  // on two threads as on one in the AVX2 build on the AVX-512 Xeon, 0.75-1.3 in the AVX-512
  // build (a training step's 17 products 2% faster in both); chapter 1's epoch took 0.98 of the
  // time with 2^22, the threshold until 4 Dec 2026, in three pairs. At 2^19 (128 x 64 x 32)
  // two threads lost in the AVX-512 build: 0.75-0.9.
  static let gemmParallelFlops = 1 << 20
  /// How many tasks (rectangles of c) a GEMM on `threads` threads is cut into: one band of rows
  /// per thread on two threads; on more, the 4 chunks per thread of the other kernels.
  // Timed in turns on the 2-core AVX-512 Xeon (4 Dec 2026): a training step's 17 products of
  // chapter 1 took 0.94-0.97 of the time with 4 tasks per thread in the AVX2 build and
  // 0.97-0.98 in the AVX-512 one, 1024³ ran 2-3% faster in the AVX2 build (level in the AVX-512
  // one), and chapter 1's epoch took 0.97-0.98 in three runs. The fewer, larger tasks leave no
  // last task for one thread to finish alone, and each sweeps b once for more rows. With
  // another program spinning on one of the two cores, the step took as long with 1 task per
  // thread as with 4: the system shares the cores out among the three threads. Many-core
  // laptops keep the smaller tasks (untimed here): their cores are often of two kinds (Intel's
  // performance and efficient cores, Apple's), and equal bands would make every product wait
  // for a slow core, where smaller tasks let the fast ones take more.
  static func gemmTasks(threads: Int) -> Int {
    threads <= 2 ? threads : threads * chunksPerThread
  }
  /// At most this many floats (16 MB) of b's packed copy at a time. Small and medium GEMMs pack
  /// all of b's width block at once; a very deep one (PCA's Xᵀ·X over 60000 samples) goes a group
  /// of k-blocks at a time instead.
  static let packedBudget = 1 << 22

  // a is (m, k), or stored (k, m) when transposeA; b is (k, n), or stored (n, k) when transposeB;
  // c is (m, n).  c (+)= op(a)·op(b)
  public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, transposeA: Bool,
    b: UnsafePointer<Float>, transposeB: Bool,
    c: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      if !accumulate { c.update(repeating: 0, count: m * n) }
      return
    }
    let p =
      blocking.transposes(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
      ? GEMMOperands(
        m: n, n: m, k: k, a: b, transposeA: !transposeB, b: a, transposeB: !transposeA, c: c,
        accumulate: accumulate, transposedC: true)
      : GEMMOperands(
        m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
        accumulate: accumulate, transposedC: false)
    // From here on m and n are the problem's as the loop nest computes it (swapped if turned).
    let (m, n) = (p.m, p.n)
    let (workers, _) = split(work: 2 * m * n * k, threshold: Self.gemmParallelFlops)
    let chunks = Self.gemmTasks(threads: workers)
    let nr = tile.columns

    // Equal-sized blocks: k = 784 becomes 4 blocks of 196, not 3 of 256 and a thin one of 16.
    let depthBlocks = (k + blocking.maxDepth - 1) / blocking.maxDepth
    let kc = (k + depthBlocks - 1) / depthBlocks
    let widthBlocks = (n + blocking.maxWidth - 1) / blocking.maxWidth
    let nc = roundUp((n + widthBlocks - 1) / widthBlocks, to: nr)
    // b read where it lies (GEMMBlocking.inPlaceRowsB says when).
    let readsBInPlace = blocking.readsBInPlace(m: m, n: n, k: k, transposeB: p.transposeB)
    // k-blocks are handled in groups of `groupBlocks`, as many as fit the budget.
    let groupBlocks = max(1, min(depthBlocks, Self.packedBudget / (kc * nc)))

    // The packed copy of b, in one buffer recycled between calls (BufferPool.swift): every
    // strip of b's width block, for every k-block of the group; strip s of k-block d starts at
    // (d·columnStrips + s)·nr·kc.
    let buffer = BufferPool.shared.take(groupBlocks * nc * kc)
    defer { BufferPool.shared.giveBack(buffer) }
    let packedB = buffer.pointer

    for firstBlock in stride(from: 0, to: depthBlocks, by: groupBlocks) {
      let blocks = min(groupBlocks, depthBlocks - firstBlock)
      for column0 in stride(from: 0, to: n, by: nc) {
        let columnStrips = (min(nc, n - column0) + nr - 1) / nr

        // Strips of b are packed by whichever thread first needs them (PackedB.swift), under
        // one flag per group of strips: one flag per strip is always enough.
        withUnsafeTemporaryAllocation(of: CInt.self, capacity: blocks * columnStrips) { flags in
          flags.initialize(repeating: 0)
          let packed = PackedB(
            b: p.b, transposed: p.transposeB, k: k, n: n, column0: column0,
            firstBlock: firstBlock, kc: kc, stripWidth: nr, columnStrips: columnStrips,
            inPlace: readsBInPlace, storage: packedB, flags: flags.baseAddress!)
          multiply(p, packed, blocks: blocks, workers: workers, chunks: chunks)
        }
      }
    }
  }

  // c (+)= op(a)·(the packed block of b), for every k-block of the group, on `workers` threads.
  private func multiply(
    _ p: GEMMOperands, _ packed: PackedB, blocks: Int, workers: Int, chunks: Int
  ) {
    let mr = tile.rows
    let nr = tile.columns
    let (m, n, k) = (p.m, p.n, p.k)
    let kc = packed.kc
    let rowStrips = (m + mr - 1) / mr
    let columnStrips = packed.columnStrips
    // The tiles of c in this block form a grid of rowStrips x columnStrips; a task takes a
    // rectangle of it and does all the group's k-blocks for it, first to last, so no task waits
    // for another between k-blocks. Rectangles are whole rows of the grid when there are enough
    // rows to go round (one band of rows per thread), and are cut across columns too when there
    // are few (m = 8 still keeps both cores busy).
    let rowGroups = min(rowStrips, chunks)
    let columnGroups = min(columnStrips, max(1, chunks / rowGroups))
    // Each task packs its row strips of a for one k-block into a buffer of its own, a group of
    // strips at a time: half as many floats as one sweep of b, so that the group and the sweep
    // share L2 (8 strips of 8 x 1024 on the Zen 5 EPYC), and the buffer stays small whatever m
    // is.
    let stripFloats = mr * kc
    let groupStrips = min(
      (rowStrips + rowGroups - 1) / rowGroups, max(1, blocking.sweepWidth / (2 * mr)))
    let packedA = BufferPool.shared.take(rowGroups * columnGroups * groupStrips * stripFloats)
    defer { BufferPool.shared.giveBack(packedA) }
    parallelFor(chunks: rowGroups * columnGroups, threads: workers) { task in
      let rows = chunkRange(task / columnGroups, of: rowGroups, count: rowStrips)
      let columns = chunkRange(task % columnGroups, of: columnGroups, count: columnStrips)
      let group = packed.stripsPerGroup
      let firstStrip = (task % workers) * columns.count / workers / group * group
      let ownStrips = packedA.pointer + task * groupStrips * stripFloats
      // b's block in sweeps of `sweep` strips (which stay in L2) across every row strip of the
      // group.
      let sweep = max(1, blocking.sweepWidth / nr)
      // A strip of a that meets only a few strips of b is read where it lies in a, unpacked
      // (GEMMBlocking.inPlaceWidth says why); a strip at a's bottom edge is always packed, as
      // reading its missing rows would read past the end of a.
      let inPlace = columns.count * nr <= blocking.inPlaceWidth
      func readsInPlace(_ rowStrip: Int) -> Bool { inPlace && (rowStrip + 1) * mr <= m }
      // Row strip `rowStrip` of a for the k-block from depth0 on, as TileProduct takes it: where
      // it lies in a, or its packed copy in this task's buffer (packed from group0 on).
      func strip(_ rowStrip: Int, depth0: Int, group0: Int) -> StripOfA {
        let row0 = rowStrip * mr
        guard readsInPlace(rowStrip) else {
          return StripOfA(
            a: UnsafePointer(ownStrips + (rowStrip - group0) * stripFloats), stepStride: mr,
            rowStride: 1)
        }
        return p.transposeA
          ? StripOfA(a: p.a + depth0 * m + row0, stepStride: m, rowStride: 1)
          : StripOfA(a: p.a + row0 * k + depth0, stepStride: 1, rowStride: k)
      }
      for block in 0..<blocks {
        let depth0 = (packed.firstBlock + block) * kc
        let depth = min(kc, k - depth0)
        // After the first k-block, c already holds a partial sum: add to it.
        let addToC = p.accumulate || packed.firstBlock + block > 0
        for group0 in stride(from: rows.lowerBound, to: rows.upperBound, by: groupStrips) {
          let groupRows = group0..<min(rows.upperBound, group0 + groupStrips)
          for rowStrip in groupRows where !readsInPlace(rowStrip) {
            let row0 = rowStrip * mr
            Self.packA(
              p.a, transposed: p.transposeA, m: m, k: k, row0: row0, rows: min(mr, m - row0),
              depth0: depth0, depth: depth, tileRows: mr,
              into: ownStrips + (rowStrip - group0) * stripFloats)
          }
          for sweep0 in stride(from: 0, to: columns.count, by: sweep) {
            for rowStrip in groupRows {
              let row0 = rowStrip * mr
              let stripA = strip(rowStrip, depth0: depth0, group0: group0)
              for step in sweep0..<min(columns.count, sweep0 + sweep) {
                // Tasks that start together start at different groups of strips, so that their
                // threads pack different parts of b instead of waiting on the same one.
                let columnStrip = columns.lowerBound + (step + firstStrip) % columns.count
                let col0 = packed.column0 + columnStrip * nr
                let stripB = packed.strip(block: block, columnStrip: columnStrip)
                tile.multiply(
                  TileProduct(
                    depth: depth, a: stripA.a, aStepStride: stripA.stepStride,
                    aRowStride: stripA.rowStride, b: stripB.pointer, bStepStride: stripB.stepStride,
                    c: p.transposedC ? p.c + col0 * m + row0 : p.c + row0 * n + col0,
                    ldc: p.transposedC ? m : n, validRows: min(mr, m - row0),
                    validColumns: min(nr, n - col0), accumulate: addToC,
                    transposedC: p.transposedC))
              }
            }
          }
        }
      }
    }
  }
}

/// Where the micro-kernel finds a strip of a: row r of step p at a[p·stepStride + r·rowStride].
struct StripOfA {
  let a: UnsafePointer<Float>
  let stepStride: Int, rowStride: Int
}

/// The operands of one GEMM call, passed down the loop nest as one value. When `transposedC`,
/// the loop nest computes the (m, n) product into c stored (n, m): c[j·m + i].
struct GEMMOperands {
  let m: Int, n: Int, k: Int
  let a: UnsafePointer<Float>, transposeA: Bool
  let b: UnsafePointer<Float>, transposeB: Bool
  let c: UnsafeMutablePointer<Float>, accumulate: Bool
  let transposedC: Bool
}

/// `value` rounded up to a multiple of `multiple`.
func roundUp(_ value: Int, to multiple: Int) -> Int {
  (value + multiple - 1) / multiple * multiple
}
