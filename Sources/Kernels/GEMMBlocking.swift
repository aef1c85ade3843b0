import CPUSupport

/// How the tiled GEMM cuts a product into blocks, from the register tile and the cache sizes the
/// system reports (TiledKernels+GEMM.swift explains the loop nest that uses them).
///
///   depth (kc)  The strip of a that the micro-kernel meets every strip of b with (rows x kc
///               floats) stays in L1 across the sweep, while b's strips stream past once each: kc
///               is as deep as lets that strip fill two thirds of L1, a multiple of 64, at most
///               1024 (`depth(tile:l1:)`). 1024 for the 8x32 tile on a 48 KB L1 (the Zen 5 EPYC,
///               the Ice Lake Xeon), 896 for 6x16 on 32 KB. Deeper blocks mean fewer passes over c
///               and fewer strips to start: on the Zen 5 EPYC (timed in turns, 3 Dec 2026, two
///               threads), 1024 against 256 was 4-9% faster at 1024³, 7-11% at 2048³, 14-22% on the
///               forward x·Wᵀ of Linear(784 → 256) (one block instead of four), 8% on a
///               convolution's w·col, level on dx and dW (k 256 and 128: one block either way). The
///               Zen 3 EPYC's blocks by this rule (6x16, 32 KB L1, 512 KB L2: 896 deep, swept 64
///               columns at a time), untimed there, were emulated on the Zen 5 with an AVX2 build:
///               against 256 deep and 256 wide, level to 22% faster (forward x·Wᵀ, a convolution's
///               w·col), 0.94-0.98 on dW. The depth does not change the bits: the micro-kernel
///               carries each element of c in one chain of multiply-adds along the whole of k,
///               whatever the blocks (RegisterTile.swift), so every machine prints the numbers the
///               chapters quote. (Until 3 Dec 2026 a tile summed each block from zero and added the
///               sum to c, and kc was pinned at 256 to keep the bits the same everywhere.)
///   width (nc)  1024 columns (rounded down to whole strips), whatever L2 says. The textbook
///               rule keeps the packed block of b (kc x nc) in L2; but b's strips are read in
///               order and prefetched, so they stream well from L3 too, while each extra block
///               across n means another pass over a and another round of packing. Measured on
///               the AMD EPYC (512 KB L2, where the rule gives nc = 256): nc = 1024 was 5-15%
///               faster than 256 or 512 on every shape of chapter 1 and at 1024³, and 2048 no
///               faster than 1024.
///
/// Neither the depth nor how much of b's block a row strip sweeps across (which follows L2)
/// changes the order of the sums.
public struct GEMMBlocking: Sendable, Equatable {
  /// The largest depth of a k-block.
  public let maxDepth: Int
  /// The largest width of a block of b's columns: a multiple of the tile's columns.
  public let maxWidth: Int

  /// How many of the block's columns each row strip of a sweeps across before the next row
  /// strip starts: the strips of b it reads (kc x sweepWidth floats, half of L2) are then read
  /// again by every other row strip of the task while they are still in L2. With 256-deep blocks
  /// on the Zen 3 EPYC's 512 KB L2 that was 256 columns of the 1024: on two threads 0-10% faster
  /// than sweeping all 1024 (b's block streaming from L3), level on one, timed interleaved. On
  /// the Zen 5 EPYC (1 MB L2, 1024-deep blocks) it is 128 columns: 1-4% faster than 512 at
  /// 1024³ and 2048³ on two threads (3 Dec 2026).
  public let sweepWidth: Int

  /// Up to how many of b's columns a task may multiply a strip of a by and still read that
  /// strip where it lies in a, instead of packing it first. Packing costs a read and a write
  /// per float of a (and a transpose when a is stored (m, k)), and pays for itself through reuse:
  /// each packed strip is then read once per strip of b. With few strips of b to meet, the copy
  /// is most of what the strip costs outside the micro-kernel: chapter 1's products with 32 to
  /// 256 columns were 5-60% faster on the EPYC reading a in place, while at 784 columns and more
  /// packing won (up to 15% at 1024³, where a's rows, 4 KB apart, fall in the same sets of L1).
  /// `defaultInPlaceWidth` (256 columns), whatever the tile.
  public let inPlaceWidth: Int
  public static let defaultInPlaceWidth = 256

  /// Up to how many rows of a (of the product as the loop nest computes it) a product of one
  /// k-block reads b stored (k, n) where it lies, instead of packing it (0: never;
  /// `readsBInPlace` has the whole rule). Packing b pays for itself through a's rows: each
  /// packed float is read once per strip of a. With few strips of a, the copy (and, on two
  /// threads, waiting for the strips the other thread is packing) is a large part of the
  /// product: on the Zen 5 EPYC (3 Dec 2026, timed in turns, two threads) chapter 1's products
  /// with m = 32 to 256 ran 15-60% faster with b in place (dx = dy·W of its last layer,
  /// 128 x 256 x 784: 303 -> 461 GFLOP/s), level on one thread; at m = 512 and more packing won
  /// by a few percent, at 1024³ by half. Chapter 1's 17 multiplies of a training step, one after
  /// another, took 11-13% less time (0.95-0.98 -> 0.83-0.86 ms, three runs of 20 rounds). The
  /// AVX2 build's 6x16 tile on the same machine: 18-32% on the same products, 2-6% on the step,
  /// and 2-5% slower on two products its plain count used to turn round (dx = dy·W of a
  /// 784-input layer, 128 x 784 x 256, and a convolution's 64 x 441 x 288), now kept as written.
  public var inPlaceRowsB = GEMMBlocking.defaultInPlaceRowsB
  public static let defaultInPlaceRowsB = 256

  /// Whether the loop nest reads b where it lies for an (m, n) product of depth k: b stored
  /// (k, n) (its strips' rows are then n floats apart), one k-block, m ≤ `inPlaceRowsB`, and
  /// b's rows not a multiple of 2 KB apart. Rows 2 KB, 4 KB, 8 KB apart fall into a few sets of
  /// L1 and L2, which then hold only a few of a strip's rows: n = 512, 1024 and 2048 ran
  /// 10-25% slower in place on the Zen 5, where n = 256, 384, 784 and 800 gained.
  public func readsBInPlace(m: Int, n: Int, k: Int, transposeB: Bool) -> Bool {
    !transposeB && k <= maxDepth && m <= inPlaceRowsB
      && (n * MemoryLayout<Float>.stride) % 2048 != 0
  }

  /// Which way round the GEMM computes a product: as written, c = op(a)·op(b), or as its
  /// transpose, cᵀ = op(b)ᵀ·op(a)ᵀ (TiledKernels+GEMM.swift). The default picks the one that
  /// copies fewer floats; the other two are for the lab and the tests, which compare them (a
  /// `var`, so that `var b = GEMMBlocking(tile: t); b.orientation = .asWritten` keeps the rest).
  public enum Orientation: Sendable, Equatable {
    case asWritten, cheaper, transposed
  }
  public var orientation: Orientation

  public init(
    maxDepth: Int, maxWidth: Int, sweepWidth: Int? = nil,
    inPlaceWidth: Int = GEMMBlocking.defaultInPlaceWidth, orientation: Orientation = .cheaper,
    turnCosts: TurnCosts = .plain
  ) {
    self.maxDepth = maxDepth
    self.maxWidth = maxWidth
    self.sweepWidth = sweepWidth ?? maxWidth
    self.inPlaceWidth = inPlaceWidth
    self.orientation = orientation
    self.turnCosts = turnCosts
  }

  /// What the choice of orientation charges, in floats copied, for the two things a turned
  /// product does that packing does not: write c's tiles as columns, one float at a time
  /// (`columnWrite` per float of c, per k-block), and read a strip of a where it lies in a matrix
  /// stored (k, m), one step's few floats per cache line (`columnRead` per float of that a, on
  /// top of none for a strip read by rows). Each tile carries its own (`GEMMTile.turnCosts`):
  /// where they were measured they differ by CPU more than by anything the count can see.
  public struct TurnCosts: Sendable, Equatable {
    public var columnWrite: Double
    public var columnRead: Double
    public init(columnWrite: Double, columnRead: Double) {
      self.columnWrite = columnWrite
      self.columnRead = columnRead
    }
    /// Every float counted once, and a read down the columns as free as one along the rows.
    public static let plain = TurnCosts(columnWrite: 1, columnRead: 0)
  }
  public var turnCosts: TurnCosts

  /// Whether the (m, n) product with depth k is computed as its transpose, cᵀ (n, m) =
  /// op(b)ᵀ·op(a)ᵀ. Both are the same sums in the same order (a multiply-add does not care which
  /// factor is which), so the bits are the same; what changes is what gets copied.
  /// `.cheaper` turns a product round when that copies fewer floats (`floatsCopied`, weighed by
  /// `turnCosts`) and its new b, with m columns, is narrow enough for its strips of a to be read
  /// in place. With k-blocks of 256 and plain costs that turns the lab's dx = dy·W of
  /// Linear(784 → 256) (128, 784, k 256) and chapter 1's last forward product (the same shape,
  /// b transposed), and a convolution with 64 filters (64, columns, k 288); not the forward
  /// x·Wᵀ (128, 256, k 784: four k-blocks, c written as columns four times), nor dW = dyᵀ·x
  /// (256, 784, k 128), nor 1024³ (m = n). With blocks 784 deep or more (1024 on a 48 KB L1)
  /// the forward x·Wᵀ is one block and is turned too: turned and as written ran level on the
  /// Zen 5 EPYC (0.98-1.1 in four lab runs, 3 Dec 2026). The 8x32 tile's costs keep dx and the
  /// convolution as written (the turned a, b stored (k, n), would be read down its columns) and
  /// still turn the decoder's product.
  public func transposes(
    m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false
  ) -> Bool {
    switch orientation {
    case .asWritten: return false
    case .transposed: return true
    case .cheaper:
      guard m < n, m <= inPlaceWidth else { return false }
      let cost = weighedCost(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
      return cost.transposed < cost.asWritten
    }
  }

  /// `floatsCopied` with `turnCosts` applied: the floats written as columns weighed by
  /// `columnWrite`, plus `columnRead` for each float of an a read in place down its columns (as
  /// written when a is stored (k, m) and b is narrow; turned when b is stored (k, n), since
  /// that b becomes the turned product's a, and the turned b, m columns, is narrow).
  public func weighedCost(
    m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
  ) -> (asWritten: Double, transposed: Double) {
    let copied = floatsCopied(
      m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
    let asWrittenColumns = transposeA && n <= inPlaceWidth ? m * k : 0
    let turnedColumns = !transposeB && m <= inPlaceWidth ? n * k : 0
    let asWritten = Double(copied.asWritten) + turnCosts.columnRead * Double(asWrittenColumns)
    let transposed =
      Double(copied.transposed - copied.columnWrites)
      + turnCosts.columnWrite * Double(copied.columnWrites)
      + turnCosts.columnRead * Double(turnedColumns)
    return (asWritten, transposed)
  }

  /// About how many floats the loop nest copies for the (m, n) product with depth k, as written
  /// and transposed. As written: b packed once (k·n) unless it is read in place
  /// (`readsBInPlace`), and a packed once per block of b's columns when its strips meet more
  /// than `inPlaceWidth` of them (read in place otherwise).
  /// Transposed: the same with m and n swapped, plus c written one float at a time (m·n once
  /// per k-block: RegisterTile's `transposedC`), since its tiles arrive as columns; those are
  /// `columnWrites`, part of `transposed`.
  public func floatsCopied(
    m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false
  ) -> (
    asWritten: Int, transposed: Int, columnWrites: Int
  ) {
    func packed(_ m: Int, _ n: Int, bInPlace: Bool) -> Int {
      let widthBlocks = (n + maxWidth - 1) / maxWidth
      return (bInPlace ? 0 : k * n) + (n > inPlaceWidth ? m * k * widthBlocks : 0)
    }
    let depthBlocks = (k + maxDepth - 1) / maxDepth
    let columnWrites = m * n * depthBlocks
    return (
      packed(m, n, bInPlace: readsBInPlace(m: m, n: n, k: k, transposeB: transposeB)),
      packed(n, m, bInPlace: readsBInPlace(m: n, n: m, k: k, transposeB: !transposeA))
        + columnWrites, columnWrites
    )
  }

  /// The depth of a full k-block for `tile` on an L1 cache of `l1` bytes: as many steps as let
  /// the tile's strip of a (rows floats a step) fill two thirds of L1, rounded down to a multiple
  /// of 64, from 64 to 1024.
  public static func depth(tile: GEMMTile, l1: Int) -> Int {
    let steps = l1 * 2 / 3 / (tile.rows * MemoryLayout<Float>.stride)
    return max(64, min(1024, steps / 64 * 64))
  }

  /// Cache sizes when the system does not say: 32 KB L1 and 512 KB L2, small for any CPU of the
  /// last ten years, so blocks made for them fit everywhere.
  public static let fallbackL1 = 32 * 1024
  public static let fallbackL2 = 512 * 1024

  /// The blocks for `tile` on an L1 cache of `l1` bytes and an L2 of `l2`.
  public init(
    tile: GEMMTile, l1: Int = GEMMBlocking.fallbackL1, l2: Int = GEMMBlocking.fallbackL2
  ) {
    let floatBytes = MemoryLayout<Float>.stride
    maxDepth = Self.depth(tile: tile, l1: l1)
    maxWidth = 1024 / tile.columns * tile.columns
    let sweepColumns = l2 / 2 / (maxDepth * floatBytes)
    sweepWidth = max(tile.columns, min(maxWidth, sweepColumns / tile.columns * tile.columns))
    inPlaceWidth = Self.defaultInPlaceWidth
    orientation = .cheaper
    turnCosts = tile.turnCosts
  }

  /// The blocks for `tile` on this machine's caches.
  public init(tile: GEMMTile) {
    self.init(tile: tile, l1: CacheSizes.l1, l2: CacheSizes.l2)
  }
}

/// The cache sizes of one core, as the system reports them (or the fallbacks).
public enum CacheSizes {
  public static let l1 = reported(level: 1) ?? GEMMBlocking.fallbackL1
  public static let l2 = reported(level: 2) ?? GEMMBlocking.fallbackL2

  static func reported(level: Int32) -> Int? {
    let size = Int(bottleneck_cache_size(level))
    return size > 0 ? size : nil
  }
}
