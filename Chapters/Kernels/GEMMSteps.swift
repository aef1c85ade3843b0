/*:
 # The steps of the walk

 Every step computes the same thing, C(m, n) = A(m, k)·B(k, n), all three row-major (element
 (i, j) of an (rows, cols) matrix sits at index i·cols + j), and overwrites C. Step 1 is
 `NaiveKernels().gemm` and steps 5 and 6 are `TiledKernels` (Sources/Kernels): they are called,
 not copied. Steps 2 to 4 live here; each changes one thing about the step before it.
 */

import Foundation

/*:
 ## Step 2: loop order (i-p-j), on plain Swift arrays

 The naive loop (step 1) computes one c[i, j] at a time, as the formula reads:
 c[i, j] = Σ_p a[i, p]·b[p, j]. Two things hold it back.

 *A chain of additions.* Its innermost loop adds every product to one running total, and each
 addition must wait for the result of the one before it, a few cycles. Naive's 2 GFLOP/s at 256
 and 512 is one multiply-add every 2.7 cycles at 2.7 GHz: the latency of that chain, whatever
 the memory does. (The CPU could start two 16-lane FMAs every cycle.)

 *Columns of B.* The loop runs down a column of B: b[p, j] and b[p + 1, j] are n floats apart,
 so each read lands on a different 64-byte cache line, of which it uses 4 bytes. While the lines
 of a column stay cached, the next 15 columns find them there. For n = 1024 they do not: a
 column is 1024 lines (64 KB, more than L1's 48 KB), and its addresses are exactly 4 KB apart,
 so they all compete for the same few slots of each cache (a cache puts a line in one of a few
 "ways" of the set its address picks, and addresses 4 KB apart pick the same set). Every read
 waits for L2 or L3, and naive drops to 0.3 GFLOP/s.

 Swap the two inner loops: for each row i, for each p, add a[i, p] times *row* p of B to *row* i
 of C. The same products, summed in the same order for each c[i, j] (p = 0, 1, …, k − 1), so
 the result is identical to the naive one, bit for bit. But now the innermost loop walks row p of
 B and row i of C left to right, using every byte of every cache line, with a pattern the
 hardware prefetcher follows; and its iterations j, j + 1, … update different elements of C, so
 none waits for another. They could even run 16 at a time, as one vector instruction; that is
 what the compiler's auto-vectorizer looks for.

 This step uses plain `[Float]` arrays. In a normal release build (`-O`) every `c[…]`, `a[…]` and
 `b[…]` checks its index against the array's count and stops the program when it is outside.
 That check is a branch *inside* the innermost loop that may end the program at iteration j, so
 the vectorizer cannot do iterations j … j + 15 at once, and the loop stays scalar: per element
 a load of b and of c, a multiply and an add, a store, and the index checks. 3.3 GFLOP/s at
 every size.

 The step spells that check out with `subscript(checked:)` below: the same unsigned compare and
 trap that Array's subscript does in a `-O` build. Written out, the lesson does not depend on
 build flags: compiled with `-Ounchecked`, Array's own check disappears and the same loop on
 `c[i * n + j]` would run like step 3 (try it: exercise 1).
 */

extension Array where Element == Float {
  /// The element at `i`, checked as Array's own subscript checks it in a `-O` build:
  /// one unsigned compare (a negative index becomes huge) and a trap when it fails.
  @inline(__always)
  subscript(checked i: Int) -> Float {
    get {
      if UInt(bitPattern: i) >= UInt(bitPattern: count) { fatalError("Index out of range") }
      return self[i]
    }
    set {
      if UInt(bitPattern: i) >= UInt(bitPattern: count) { fatalError("Index out of range") }
      self[i] = newValue
    }
  }
}

// a is (m, k), b is (k, n), c is (m, n).  c = a·b, in the order i, p, j
@inline(never)
func gemmLoopOrder(m: Int, n: Int, k: Int, a: [Float], b: [Float], c: inout [Float]) {
  for i in 0..<m {
    for j in 0..<n { c[checked: i * n + j] = 0 }
    for p in 0..<k {
      let aip = a[checked: i * k + p]
      // Row i of c += a[i, p] · row p of b: both rows are read left to right.
      for j in 0..<n { c[checked: i * n + j] += aip * b[checked: p * n + j] }
    }
  }
}

/*:
 ## Step 3: unsafe buffers

 The same loops over `UnsafePointer`s. A pointer has no count, so there is nothing to check, and
 no owner to ask either: writing through an `UnsafeMutablePointer` never triggers Array's
 copy-on-write test ("is this buffer shared? then copy it first"), which an `inout [Float]` has to
 answer before a write unless the optimizer can move it out of the loop. What is left is the
 arithmetic itself, and the compiler vectorizes it. Look at the machine code
 (`objdump -d` on the binary, the function `gemmUnsafe`): the inner loop is `vmulps` and
 `vaddps` on `ymm` registers, 8 floats each, four of each per iteration. Two things are left on
 the table: the compiler prefers 256-bit vectors to 512-bit ones on these Intel cores (whole-core
 clock drops used to make 512-bit code a bad bet), and it does not fuse a·b + c into one FMA by
 itself, because a fused result is rounded once instead of twice and Swift does not change
 results behind your back. Step 5 asks for both explicitly.

 The price is that nothing catches a wrong index any more. That is why each kernel in this
 project states its shapes in a comment, and why every fast kernel is tested against the naive one
 on odd shapes (1 x 1 x 1, 3 x 5 x 7, 127 x 129 x 65…), where an off-by-one shows up.
 */

// a is (m, k), b is (k, n), c is (m, n).  c = a·b, in the order i, p, j
@inline(never)
func gemmUnsafe(
  m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
  c: UnsafeMutablePointer<Float>
) {
  for i in 0..<m {
    let cRow = c + i * n  // row i of c: n floats
    cRow.update(repeating: 0, count: n)
    for p in 0..<k {
      let aip = a[i * k + p]
      let bRow = b + p * n  // row p of b: n floats
      for j in 0..<n { cRow[j] += aip * bRow[j] }
    }
  }
}

/*:
 ## Step 4: cache blocking and packing (scalar inner loops)

 Step 3 reads all of B (k·n floats) once for every row of C. At n = 512 B is 1 MB and stays in
 each core's L2 cache (2 MB on this project's machines; L1 is 48 KB); at n = 1024 it is 4 MB, and
 at 2048 16 MB: too big, so every row of C streams B again from the shared L3 or from memory, which
 delivers a few bytes per cycle where L1 delivers over a hundred.

 *Blocking* cuts the work so each piece fits a cache. Take a block of B, `depth` rows (kc = 256)
 by `width` columns (nc = 512): 256 · 512 · 4 bytes = 512 KB, comfortably inside L2. Then, for
 every row i of A, do the step-3 loops restricted to that block: row i's 512-float piece of C
 (2 KB) stays in L1 and takes `depth` multiply-adds per float, and B's block comes from L2 each
 time, never from memory. Move to the next block when all rows are done. C now gets read and
 written once per depth block instead of once overall (k / 256 times), which is cheap.

 *Packing* copies the block into a small contiguous buffer first. In the original matrix,
 consecutive rows of the block are n floats apart: for n = 1024 that is exactly 4 KB, and
 addresses 4 KB apart all compete for the same few slots (sets) of the L1 and L2 caches, so the
 block evicts itself long before the caches are full. Packed, its rows follow each other with no
 gaps: the block uses every cache slot, whole pages (fewer TLB misses), and the prefetcher sees
 one long stream. Each float is copied once and then read m times, so the copy is nearly free.

 Rows of A are not packed here: this loop reads a[i, p] one float at a time along a row, which is
 already contiguous. (Step 5 packs A too, because its micro-kernel reads 8 rows at once.)

 "Scalar" means the source has no SIMD types: the inner loop is step 3's, and the compiler's
 auto-vectorizer turns it into vector code, as before. Each multiply-add still loads one float of
 B and loads and stores one float of C, and that traffic, not the arithmetic, is what limits it.
 */

/// Depth (kc) and width (nc) of step 4's blocks of B: 256 x 512 floats, 512 KB, fits in L2.
let blockDepth = 256
let blockWidth = 512

// a is (m, k), b is (k, n), c is (m, n).  c = a·b, in blocks of b of blockDepth x blockWidth
@inline(never)
func gemmBlocked(
  m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
  c: UnsafeMutablePointer<Float>
) {
  c.update(repeating: 0, count: m * n)
  // The packed block: (depth, width) with no gaps between rows. Allocated once per call.
  let packed = UnsafeMutablePointer<Float>.allocate(capacity: blockDepth * blockWidth)
  defer { packed.deallocate() }
  for column0 in stride(from: 0, to: n, by: blockWidth) {
    let width = min(blockWidth, n - column0)
    for depth0 in stride(from: 0, to: k, by: blockDepth) {
      let depth = min(blockDepth, k - depth0)
      // Pack b[depth0 ..< depth0 + depth, column0 ..< column0 + width] into (depth, width).
      for p in 0..<depth {
        (packed + p * width).update(from: b + (depth0 + p) * n + column0, count: width)
      }
      // Step 3's loops on the block: row i of c's piece (width floats) stays in L1, the packed
      // block (≤ 512 KB) in L2.
      for i in 0..<m {
        let cRow = c + i * n + column0  // (width)
        let aRow = a + i * k + depth0  // (depth)
        for p in 0..<depth {
          let aip = aRow[p]
          let bRow = packed + p * width  // (width)
          for j in 0..<width { cRow[j] += aip * bRow[j] }
        }
      }
    }
  }
}

/*:
 ## Steps 5 and 6: the production kernel

 Step 4 is limited by moving C: every multiply-add loads and stores a float of C. Step 5,
 `TiledKernels(threads: 1)` (Sources/Kernels/TiledKernels+GEMM.swift and RegisterTile.swift),
 keeps a tile of C in vector *registers* for the whole depth of a block: 8 x 32 in 16 AVX-512
 registers, or 6 x 16 in 12 AVX2 ones. For each p it loads one row of B's packed strip (32 or
 16 floats: two vectors) and broadcasts the 8 (or 6) floats of A's packed strip, and does
 8 · 32 = 256 (or 6 · 16 = 96) multiply-adds: C is touched once per block, not once per FMA.
 This is *register blocking*, and it is what lets the arithmetic units, rather than the loads,
 set the pace. Which tile runs is chosen at start-up from the CPU (GEMMTile.swift); all of them
 are one generic function, `RegisterTile<rows, vectors, Vector, prefetchSteps>`, that the
 compiler specialises into the same machine code a hand-written kernel would be
 (TileComparison.swift says how to check, and when it was not). Step 6 is the same code with the tiles of C shared out between threads: exactly the
 `tiled` kernel set the chapters run by default.
 */
