import Testing

@testable import Kernels

@Suite("GEMM with b read in place")
struct GEMMInPlaceBTests {
  @Test("the rule: b stored (k, n), one k-block, few rows of a, rows not 2 KB apart")
  func rule() {
    let blocking = GEMMBlocking(maxDepth: 1024, maxWidth: 1024)
    #expect(blocking.inPlaceRowsB == GEMMBlocking.defaultInPlaceRowsB)
    // Chapter 1's dx = dy·W of its last layer and dW = dyᵀ·x of its middle one.
    #expect(blocking.readsBInPlace(m: 128, n: 256, k: 784, transposeB: false))
    #expect(blocking.readsBInPlace(m: 256, n: 128, k: 128, transposeB: false))
    // b stored (n, k), deeper than a block, too many rows of a, rows 2 or 4 KB apart: packed.
    #expect(!blocking.readsBInPlace(m: 128, n: 256, k: 784, transposeB: true))
    #expect(!blocking.readsBInPlace(m: 128, n: 784, k: 1025, transposeB: false))
    #expect(!blocking.readsBInPlace(m: 257, n: 784, k: 128, transposeB: false))
    #expect(!blocking.readsBInPlace(m: 128, n: 512, k: 256, transposeB: false))
    #expect(!blocking.readsBInPlace(m: 128, n: 1024, k: 128, transposeB: false))
    var never = blocking
    never.inPlaceRowsB = 0
    #expect(!never.readsBInPlace(m: 1, n: 784, k: 1, transposeB: false))
  }

  @Test("a b read in place is not counted as copied, so dx = dy·W stays as written")
  func counts() {
    let blocking = GEMMBlocking(maxDepth: 256, maxWidth: 1024)
    // dx of chapter 1's first layer, (128, 784, k 256): only a (128 x 256, meeting 784
    // columns) is packed as written; turned, dy is packed and c written one float at a time.
    let copied = blocking.floatsCopied(m: 128, n: 784, k: 256)
    #expect(copied.asWritten == 128 * 256)
    #expect(copied.transposed == 256 * 128 + 128 * 784)
    #expect(!blocking.transposes(m: 128, n: 784, k: 256))
    // b stored (n, k) is packed whatever m is: the decoder's forward product, still turned.
    #expect(
      blocking.floatsCopied(m: 128, n: 784, k: 256, transposeB: true).asWritten
        == 256 * 784 + 128 * 256)
    #expect(blocking.transposes(m: 128, n: 784, k: 256, transposeB: true))
  }

  /// Odd shapes (edge strips of b, which stay packed; edge rows of a), chapter 1's products
  /// that read b in place, and one with m just above the limit.
  static let shapes = [
    (1, 1, 1), (7, 33, 5), (37, 203, 77), (250, 100, 300), (128, 256, 784), (256, 128, 128),
    (128, 784, 256), (257, 77, 64),
  ]

  @Test(
    "every tile gives the same bits with b in place as with b packed", arguments: GEMMTile.allCases)
  func sameBitsAsPacked(_ tile: GEMMTile) {
    var random = TestRandom(seed: 17)
    for (m, n, k) in Self.shapes {
      for (transposeA, transposeB) in everyTranspose {
        let a = random.array(m * k)
        let b = random.array(k * n)
        let start = random.array(m * n)
        for accumulate in [false, true] {
          for threads in [1, 2] {
            func run(rows: Int) -> [UInt32] {
              var blocking = GEMMBlocking(tile: tile)
              blocking.inPlaceRowsB = rows
              let kernels = TiledKernels(threads: threads, tile: tile, blocking: blocking)
              return gemm(
                kernels, m: m, n: n, k: k, a, transposeA: transposeA, b,
                transposeB: transposeB, into: start, accumulate: accumulate
              ).map(\.bitPattern)
            }
            let label = "\(tile) \(m)x\(n)x\(k) aᵀ=\(transposeA) bᵀ=\(transposeB) acc=\(accumulate)"
            #expect(run(rows: 1 << 20) == run(rows: 0), "\(label), \(threads) thread(s)")
          }
        }
      }
    }
  }

  @Test("b in place agrees with naive on the odd shapes")
  func matchesNaive() {
    var random = TestRandom(seed: 23)
    for (m, n, k) in Self.shapes {
      let a = random.array(m * k)
      let b = random.array(k * n)
      let zero = [Float](repeating: 0, count: m * n)
      let reference = gemm(NaiveKernels(), m: m, n: n, k: k, a, b, into: zero)
      var blocking = GEMMBlocking(tile: .chosen)
      blocking.inPlaceRowsB = 1 << 20
      let tiled = gemm(
        TiledKernels(threads: 2, blocking: blocking), m: m, n: n, k: k, a, b, into: zero)
      let worst = zip(tiled, reference).map { Swift.abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-6 * Float(k), "\(m)x\(n)x\(k)")
    }
  }
}
