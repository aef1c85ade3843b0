import Kernels
import Testing

/// Every register tile, on every machine: the tiles are one generic micro-kernel over Swift's SIMD
/// types, which compile everywhere, so the AVX-512 and NEON tiles are checked on an AVX2 machine
/// too (only slower there).
@Suite("GEMM register tiles")
struct GEMMTileTests {
  /// Shapes around each tile's edges (1 to 33 rows: partial tiles of 6 and 8; columns 1 to 50:
  /// partial strips of 8, 12, 16 and 32), several k-blocks, chapter 1's three first-layer shapes,
  /// and one with b packed in groups of strips.
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (5, 7, 3), (6, 16, 9), (7, 17, 300), (13, 25, 64), (33, 50, 513), (12, 36, 8),
    (128, 256, 784), (256, 784, 128), (128, 784, 256), (40, 520, 70),
  ]

  struct Case: Sendable, CustomTestStringConvertible {
    let tile: GEMMTile
    let m: Int, n: Int, k: Int
    var testDescription: String { "\(tile) m=\(m) n=\(n) k=\(k)" }
  }

  static let cases: [Case] = GEMMTile.allCases.flatMap { tile in
    shapes.map { Case(tile: tile, m: $0.m, n: $0.n, k: $0.k) }
  }

  @Test(
    "each tile equals naive for every transpose, accumulating or not, on 1 and 2 threads",
    arguments: cases)
  func tileMatchesNaive(_ c: Case) {
    var random = TestRandom(seed: UInt64(c.m * 7919 + c.n * 104_729 + c.k))
    let a = random.array(c.m * c.k)
    let b = random.array(c.k * c.n)
    let c0 = random.array(c.m * c.n)
    for (transposeA, transposeB) in everyTranspose {
      for accumulate in [false, true] {
        let start = accumulate ? c0 : [Float](repeating: .nan, count: c.m * c.n)
        let reference = gemm(
          NaiveKernels(), m: c.m, n: c.n, k: c.k, a, transposeA: transposeA, b,
          transposeB: transposeB, into: accumulate ? c0 : start.map { _ in 0 },
          accumulate: accumulate)
        for threads in [1, 2] {
          let tiled = gemm(
            TiledKernels(threads: threads, tile: c.tile), m: c.m, n: c.n, k: c.k, a,
            transposeA: transposeA, b, transposeB: transposeB, into: start, accumulate: accumulate)
          let ratio = worstRatio(tiled, reference) {
            GEMMTests.tolerance(k: c.k, reference: reference[$0])
          }
          #expect(
            ratio <= 1,
            "\(c.tile) aᵀ=\(transposeA) bᵀ=\(transposeB) acc=\(accumulate) threads=\(threads)")
        }
      }
    }
  }

  @Test("each tile gives bit-identical results on 1, 2 and 3 threads", arguments: GEMMTile.allCases)
  func deterministicAcrossThreads(_ tile: GEMMTile) {
    let (m, n, k) = (131, 300, 700)  // large enough to go parallel, with edge tiles everywhere
    var random = TestRandom(seed: 17)
    let a = random.array(m * k)
    let b = random.array(n * k)
    let zero = [Float](repeating: 0, count: m * n)
    let one = gemm(
      TiledKernels(threads: 1, tile: tile), m: m, n: n, k: k, a, b, transposeB: true, into: zero)
    for threads in [2, 3] {
      let again = gemm(
        TiledKernels(threads: threads, tile: tile), m: m, n: n, k: k, a, b, transposeB: true,
        into: zero)
      #expect(again.map(\.bitPattern) == one.map(\.bitPattern), "\(tile), threads = \(threads)")
    }
  }

  /// The same seed prints the same numbers on every machine: each element of c is summed along
  /// k in the same order by every tile (one fused multiply-add chain per k-block of 256, the
  /// blocks added in turn), so the tile a CPU chooses, and its L2, change the speed, not the bits.
  @Test("every tile gives the same bits as every other, for every transpose")
  func tilesAgreeToTheBit() {
    for (m, n, k) in [(37, 70, 600), (128, 256, 784), (9, 1030, 300)] {
      var random = TestRandom(seed: UInt64(m * 31 + n * 7 + k))
      let a = random.array(m * k)
      let b = random.array(k * n)
      let c0 = random.array(m * n)
      for (transposeA, transposeB) in everyTranspose {
        func product(_ tile: GEMMTile, threads: Int, l2: Int) -> [UInt32] {
          gemm(
            TiledKernels(threads: threads, tile: tile, blocking: GEMMBlocking(tile: tile, l2: l2)),
            m: m, n: n, k: k, a, transposeA: transposeA, b, transposeB: transposeB, into: c0,
            accumulate: true
          ).map(\.bitPattern)
        }
        let reference = product(.avx512, threads: 1, l2: 2 << 20)
        for tile in GEMMTile.allCases {
          for (threads, l2) in [(1, 512 * 1024), (2, 1 << 20)] {
            #expect(
              product(tile, threads: threads, l2: l2) == reference,
              "\(tile) \(m)x\(n)x\(k) aᵀ=\(transposeA) bᵀ=\(transposeB) threads=\(threads)")
          }
        }
      }
    }
  }

  /// The sweep width changes the order in which a task visits its tiles of c, never a tile's
  /// sum: one strip per sweep, the whole block, and this machine's width agree to the bit, on 1,
  /// 2 and 3 threads, with several width and depth blocks (and edge tiles everywhere).
  @Test("any sweep width gives the same bits", arguments: GEMMTile.allCases)
  func sweepWidthKeepsTheBits(_ tile: GEMMTile) {
    let (m, n, k) = (97, 5 * tile.columns + 3, 700)  // 2·m·n·k over 4M: parallel
    var random = TestRandom(seed: 23)
    let a = random.array(m * k)
    let b = random.array(k * n)
    let zero = [Float](repeating: 0, count: m * n)
    let blocks = { (sweep: Int) in
      GEMMBlocking(maxDepth: 32, maxWidth: 2 * tile.columns, sweepWidth: sweep)
    }
    let whole = gemm(
      TiledKernels(threads: 1, tile: tile, blocking: blocks(2 * tile.columns)), m: m, n: n, k: k,
      a, b, into: zero)
    for threads in [1, 2, 3] {
      for sweep in [tile.columns, 2 * tile.columns] {
        let other = gemm(
          TiledKernels(threads: threads, tile: tile, blocking: blocks(sweep)), m: m, n: n, k: k,
          a, b, into: zero)
        #expect(
          other.map(\.bitPattern) == whole.map(\.bitPattern),
          "\(tile), sweep \(sweep), threads \(threads)")
      }
    }
    let reference = gemm(NaiveKernels(), m: m, n: n, k: k, a, b, into: zero)
    #expect(
      worstRatio(whole, reference) { GEMMTests.tolerance(k: k, reference: reference[$0]) } <= 1)
  }

  /// Reading a strip of a where it lies (TiledKernels+GEMM.swift) changes only where the
  /// micro-kernel finds a's floats, never what it adds: packing every strip and reading every
  /// full one in place agree to the bit, for a stored (m, k) and (k, m), with a partial strip
  /// at the bottom edge (always packed), several k-blocks, on 1 and 2 threads.
  @Test("strips of a read in place give the same bits as packed ones", arguments: GEMMTile.allCases)
  func inPlaceKeepsTheBits(_ tile: GEMMTile) {
    var random = TestRandom(seed: 29)
    for (m, n, k) in [(3 * tile.rows + 1, 2 * tile.columns + 5, 77), (200, 48, 600)] {
      let a = random.array(m * k)
      let b = random.array(k * n)
      let c0 = random.array(m * n)
      let blocks = { (inPlace: Int) in
        GEMMBlocking(maxDepth: 32, maxWidth: 1024, sweepWidth: tile.columns, inPlaceWidth: inPlace)
      }
      for (transposeA, transposeB) in everyTranspose {
        for threads in [1, 2] {
          let run = { (inPlace: Int) in
            gemm(
              TiledKernels(threads: threads, tile: tile, blocking: blocks(inPlace)), m: m, n: n,
              k: k, a, transposeA: transposeA, b, transposeB: transposeB, into: c0,
              accumulate: true)
          }
          let packed = run(0)
          let inPlace = run(1 << 20)
          #expect(
            inPlace.map(\.bitPattern) == packed.map(\.bitPattern),
            "\(tile) m=\(m) n=\(n) aᵀ=\(transposeA) bᵀ=\(transposeB) threads=\(threads)")
        }
      }
      let reference = gemm(NaiveKernels(), m: m, n: n, k: k, a, b, into: c0, accumulate: true)
      let inPlace = gemm(
        TiledKernels(threads: 2, tile: tile, blocking: blocks(1 << 20)), m: m, n: n, k: k, a, b,
        into: c0, accumulate: true)
      #expect(
        worstRatio(inPlace, reference) { GEMMTests.tolerance(k: k, reference: reference[$0]) }
          <= 1)
    }
  }

  /// Computing cᵀ = op(b)ᵀ·op(a)ᵀ (GEMMBlocking.transposes) changes what is packed
  /// and how tiles are written back, never what is added: the two agree to the bit, for every
  /// transpose, accumulating or not, with edge tiles on both sides, one and several k-blocks,
  /// strips of the new a read in place and packed (300 x 20: 300 columns once turned), on 1 and
  /// 2 threads.
  @Test("computing a product as its transpose gives the same bits", arguments: GEMMTile.allCases)
  func transposedProductKeepsTheBits(_ tile: GEMMTile) {
    var random = TestRandom(seed: 31)
    let shapes = [
      (2 * tile.rows + 3, 5 * tile.columns + 7, 40), (tile.columns + 1, 3 * tile.columns + 2, 150),
      (48, 784, 64), (300, 20, 70),
    ]
    for (m, n, k) in shapes {
      let blocks = { (transposes: Bool) in
        GEMMBlocking(
          maxDepth: 64, maxWidth: 1024, orientation: transposes ? .transposed : .asWritten)
      }
      let a = random.array(m * k)
      let b = random.array(k * n)
      let c0 = random.array(m * n)
      for (transposeA, transposeB) in everyTranspose {
        for accumulate in [false, true] {
          let start = accumulate ? c0 : [Float](repeating: .nan, count: m * n)
          for threads in [1, 2] {
            let run = { (transposes: Bool) in
              gemm(
                TiledKernels(threads: threads, tile: tile, blocking: blocks(transposes)), m: m,
                n: n, k: k, a, transposeA: transposeA, b, transposeB: transposeB, into: start,
                accumulate: accumulate)
            }
            #expect(
              run(true).map(\.bitPattern) == run(false).map(\.bitPattern),
              "\(tile) m=\(m) n=\(n) aᵀ=\(transposeA) bᵀ=\(transposeB) acc=\(accumulate)")
          }
        }
      }
    }
  }

  @Test("a product is computed as its transpose only when that copies fewer floats")
  func transposesOnlyWhenCheaper() {
    // b always packed here (the counts with b read in place: GEMMInPlaceBTests).
    var blocking = GEMMBlocking(maxDepth: 256, maxWidth: 1024)
    blocking.inPlaceRowsB = 0
    // Chapter 1's first layer: forward, dW, dx; then 1024³, a wide product too tall to read b
    // in place, and a convolution's forward product.
    #expect(!blocking.transposes(m: 128, n: 256, k: 784))
    #expect(!blocking.transposes(m: 256, n: 784, k: 128))
    #expect(blocking.transposes(m: 128, n: 784, k: 256))
    #expect(!blocking.transposes(m: 1024, n: 1024, k: 1024))
    #expect(!blocking.transposes(m: 300, n: 5000, k: 256))
    #expect(blocking.transposes(m: 64, n: 1568, k: 288))
    // Forced either way.
    for orientation in [GEMMBlocking.Orientation.asWritten, .transposed] {
      var forced = GEMMBlocking(maxDepth: 256, maxWidth: 1024, orientation: orientation)
      forced.inPlaceRowsB = 0
      for (m, n, k) in [(128, 256, 784), (128, 784, 256), (1024, 1024, 1024)] {
        #expect(forced.transposes(m: m, n: n, k: k) == (orientation == .transposed))
      }
    }
    // The count behind the choice for dx = dy·W: b (256 x 784) and a (128 x 256, packed: 784
    // columns) as written; dy (128 x 256) and c written one by one (128 x 784) transposed.
    let copied = blocking.floatsCopied(m: 128, n: 784, k: 256)
    #expect(copied.asWritten == 256 * 784 + 128 * 256)
    #expect(copied.transposed == 256 * 128 + 128 * 784)
    #expect(copied.columnWrites == 128 * 784)
    // Plain costs: the weighed count is the count, whatever the layouts.
    let plain = blocking.weighedCost(m: 128, n: 784, k: 256, transposeA: false, transposeB: false)
    #expect(plain.asWritten == Double(copied.asWritten))
    #expect(plain.transposed == Double(copied.transposed))
  }

  @Test("the 8x32 tile's turn costs keep products whose turned a would be read down its columns")
  func turnCostsOfTheWideTile() {
    var blocking = GEMMBlocking(tile: .avx512, l2: 2 << 20)
    blocking.inPlaceRowsB = 0  // b always packed, as in the counts below
    #expect(blocking.turnCosts == GEMMTile.avx512.turnCosts)
    // dx = dy·W (b = W stored (k, n)): turned, W would be read down its columns: as written.
    #expect(!blocking.transposes(m: 128, n: 784, k: 256))
    // The decoder's y = h·Wᵀ (W stored (n, k)): turned, W is read along its rows: turned.
    #expect(blocking.transposes(m: 128, n: 784, k: 256, transposeB: true))
    // A convolution's forward w·col as written; its weight gradient dy·colᵀ turned, unless
    // its c (3136 columns, k 128) would be written as columns at more cost than it saves.
    #expect(!blocking.transposes(m: 64, n: 1568, k: 288))
    #expect(blocking.transposes(m: 64, n: 288, k: 1568, transposeB: true))
    #expect(!blocking.transposes(m: 128, n: 3136, k: 128, transposeB: true))
    // The weights, by hand, for dx: c's 128·784 floats at 1.5, W's 784·256 read down columns.
    let cost = blocking.weighedCost(m: 128, n: 784, k: 256, transposeA: false, transposeB: false)
    #expect(cost.asWritten == Double(256 * 784 + 128 * 256))
    #expect(cost.transposed == Double(256 * 128) + 1.5 * Double(128 * 784) + Double(784 * 256))
    // The other tiles keep the plain count (the 6x16 turned dx faster on the Zen 3 EPYC).
    for tile in [GEMMTile.avx2, .neon, .portable] {
      #expect(tile.turnCosts == .plain)
      var packing = GEMMBlocking(tile: tile)
      packing.inPlaceRowsB = 0
      #expect(packing.transposes(m: 128, n: 784, k: 256))
    }
  }

  @Test("tiles have the shapes and register counts the prose gives")
  func shapes() {
    #expect(GEMMTile.avx512.rows == 8 && GEMMTile.avx512.columns == 32)
    #expect(GEMMTile.avx2.rows == 6 && GEMMTile.avx2.columns == 16)
    #expect(GEMMTile.neon.rows == 8 && GEMMTile.neon.columns == 12)
    #expect(GEMMTile.portable.rows == 6 && GEMMTile.portable.columns == 8)
    // accumulators + b's row + one broadcast, in registers of the tile's own width
    #expect(GEMMTile.avx512.registersNeeded == 19)
    #expect(GEMMTile.avx2.registersNeeded == 15)
    #expect(GEMMTile.neon.registersNeeded == 28)
    #expect(GEMMTile.portable.registersNeeded == 15)
    for tile in GEMMTile.allCases {
      #expect(tile.columns % tile.vectorWidth == 0)
      #expect(!tile.spills(on: tile.isa), "\(tile) must fit the registers it was made for")
    }
    // A SIMD16 is two AVX2 registers: the 8x32 tile needs 38 of 16. NEON's tile needs 28
    // registers, which x86 has only with AVX-512.
    #expect(GEMMTile.avx512.spills(on: .avx2))
    #expect(GEMMTile.neon.spills(on: .avx2) && !GEMMTile.neon.spills(on: .avx512))
    #expect(!GEMMTile.avx2.spills(on: .avx512) && !GEMMTile.portable.spills(on: .avx2))
  }

  @Test("tiles are found by shape, by instruction set and as auto; other names are refused")
  func names() throws {
    #expect(try GEMMTile.named("6x16") == .avx2)
    #expect(try GEMMTile.named("AVX512") == .avx512)
    #expect(try GEMMTile.named("neon") == .neon)
    #expect(try GEMMTile.named("portable") == .portable)
    #expect(try GEMMTile.named("auto") == GEMMTile.best)
    #expect(throws: GEMMTileError.self) { try GEMMTile.named("4x4") }
    #expect(try GEMMTile.resolve(flag: "8x12") == .neon)
    let message = "\(GEMMTileError.unknownName("4x4"))"
    #expect(message.contains("4x4") && message.contains("6x16") && message.contains("auto"))
  }

  @Test("the best tile uses no instructions the CPU or the build lacks")
  func bestTileIsUsable() {
    #expect(VectorISA.usable <= VectorISA.cpu)
    #expect(VectorISA.usable <= VectorISA.compiled)
    #expect(GEMMTile.best.isa == VectorISA.usable)
    #if arch(arm64)
      #expect(GEMMTile.best == .neon)
    #endif
  }

  @Test("the build names the -march it was compiled with")
  func compiledMarchIsNamed() {
    #if arch(x86_64) || arch(arm64)
      // Package.swift passes BOTTLENECK_MARCH (default "native") to the C target as a define.
      #expect(!VectorISA.compiledMarch.isEmpty)
      #expect(!VectorISA.compiledMarch.contains(" "))
    #endif
  }

  @Test("blocks are as deep as lets a's strip fill two thirds of L1; their sweep follows L2")
  func blocking() {
    // 48 KB: 8 x 1024 floats of a are 32 KB; 32 KB: 6 x 896 are 21 KB of the 21.3 allowed.
    #expect(GEMMBlocking.depth(tile: .avx512, l1: 48 * 1024) == 1024)
    #expect(GEMMBlocking.depth(tile: .avx512, l1: 32 * 1024) == 640)
    #expect(GEMMBlocking.depth(tile: .avx2, l1: 32 * 1024) == 896)
    #expect(GEMMBlocking.depth(tile: .neon, l1: 128 * 1024) == 1024)
    #expect(GEMMBlocking.depth(tile: .portable, l1: 1024) == 64)
    for tile in GEMMTile.allCases {
      #expect(
        GEMMBlocking(tile: tile).maxDepth == GEMMBlocking.depth(tile: tile, l1: CacheSizes.l1))
      #expect(GEMMBlocking(tile: tile).maxWidth % tile.columns == 0)
    }
    // A 2 MB L2 (the Ice Lake Xeon, 48 KB L1) sweeps 1024 x 256 floats of b's 1024 x 1024 block.
    #expect(
      GEMMBlocking(tile: .avx512, l1: 48 * 1024, l2: 2 << 20)
        == GEMMBlocking(
          maxDepth: 1024, maxWidth: 1024, sweepWidth: 256, turnCosts: GEMMTile.avx512.turnCosts))
    // The Zen 3 EPYC's 512 KB L2 holds 896 x 64 floats in half of it: four strips of 16.
    #expect(
      GEMMBlocking(tile: .avx2, l1: 32 * 1024, l2: 512 * 1024)
        == GEMMBlocking(maxDepth: 896, maxWidth: 1024, sweepWidth: 64))
    // A tiny L2 still sweeps one whole strip at a time.
    #expect(GEMMBlocking(tile: .avx2, l2: 16 * 1024).sweepWidth == 16)
    #expect(CacheSizes.l1 >= 16 * 1024 && CacheSizes.l2 >= 128 * 1024)
  }

  /// A tile that adds to c starts its accumulators from c (RegisterTile.swift), so each element
  /// of c is one chain of fused multiply-adds along the whole of k, c + a₀b₀ + a₁b₁ + …, however
  /// k is cut into blocks. The tiled GEMM then gives exactly the bits of that chain written out
  /// in Swift (`addingProduct` is a fused multiply-add), for every tile, every depth of block
  /// (from 1 step to all of k), every transpose, turned round or not, accumulating or not, on 1
  /// and 2 threads.
  @Test(
    "the product is one fused multiply-add chain along k, whatever the blocks",
    arguments: GEMMTile.allCases)
  func oneChainAlongK(_ tile: GEMMTile) {
    var random = TestRandom(seed: 37)
    for (m, n, k) in [(2 * tile.rows + 1, 3 * tile.columns + 5, 301), (70, 130, 1100)] {
      let a = random.array(m * k)
      let b = random.array(k * n)
      let c0 = random.array(m * n)
      for (transposeA, transposeB) in everyTranspose {
        for accumulate in [false, true] {
          // The chain, element by element: a[i, p] at a[p·m + i] when transposeA, and so on.
          var chain = [Float](repeating: 0, count: m * n)
          for i in 0..<m {
            for j in 0..<n {
              var sum: Float = accumulate ? c0[i * n + j] : 0
              for p in 0..<k {
                let x = transposeA ? a[p * m + i] : a[i * k + p]
                let y = transposeB ? b[j * k + p] : b[p * n + j]
                sum.addProduct(x, y)
              }
              chain[i * n + j] = sum
            }
          }
          let start = accumulate ? c0 : [Float](repeating: .nan, count: m * n)
          for depth in [1, 7, 64, 256, 1024, 4096] {
            for orientation in [GEMMBlocking.Orientation.asWritten, .transposed] {
              for threads in [1, 2] {
                let blocks = GEMMBlocking(
                  maxDepth: depth, maxWidth: 1024, sweepWidth: 2 * tile.columns,
                  orientation: orientation)
                let tiled = gemm(
                  TiledKernels(threads: threads, tile: tile, blocking: blocks), m: m, n: n, k: k,
                  a, transposeA: transposeA, b, transposeB: transposeB, into: start,
                  accumulate: accumulate)
                #expect(
                  tiled.map(\.bitPattern) == chain.map(\.bitPattern),
                  """
                  \(tile) m=\(m) n=\(n) k=\(k) aᵀ=\(transposeA) bᵀ=\(transposeB) \
                  acc=\(accumulate) depth=\(depth) \(orientation) threads=\(threads)
                  """)
              }
            }
          }
        }
      }
    }
  }
}
