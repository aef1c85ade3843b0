import Kernels
import Testing

/// One GEMM problem: c (m, n) = op(a) (m, k) · op(b) (k, n).
struct GEMMCase: Sendable, CustomTestStringConvertible {
  let m: Int, n: Int, k: Int
  let transposeA: Bool, transposeB: Bool

  var testDescription: String {
    "m=\(m) n=\(n) k=\(k)\(transposeA ? " aᵀ" : "")\(transposeB ? " bᵀ" : "")"
  }

  /// Shapes that hit every edge of the tiled GEMM: single elements, partial 8x32 tiles, exact
  /// tiles, several k-blocks (k > 256, unequal remainder), several n-blocks (n > 1024), b packed
  /// in groups of strips with a partial strip in the last group (n = 500: 16 strips in groups of
  /// 4), a single row or column, and the chapter's Linear(784 → 256) on a batch of 128.
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (3, 5, 7), (127, 129, 65), (128, 256, 784), (8, 32, 256), (9, 33, 257),
    (1, 1000, 3), (300, 1, 17), (20, 1100, 30), (64, 64, 600), (16, 16, 1), (33, 500, 300),
  ]

  static let all: [GEMMCase] = shapes.flatMap { shape in
    everyTranspose.map {
      GEMMCase(m: shape.m, n: shape.n, k: shape.k, transposeA: $0.0, transposeB: $0.1)
    }
  }
}

@Suite("GEMM")
struct GEMMTests {
  // Tolerance: both sets round each product and sum in Float, in different orders. The rounding
  // error of a k-term dot product grows like √k times its magnitude, so we allow
  //   |tiled − naive| ≤ 1e-5 · √k · (1 + |naive|).
  static func tolerance(k: Int, reference: Float) -> Float {
    1e-5 * Float(k).squareRoot() * (1 + Swift.abs(reference))
  }

  @Test(
    "tiled equals naive for every transpose, with and without accumulate, on 1-3 threads",
    arguments: GEMMCase.all)
  func tiledMatchesNaive(_ shape: GEMMCase) {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    var random = TestRandom(seed: UInt64(m * 1_000_003 + n * 1009 + k))
    let a = random.array(m * k)
    let b = random.array(k * n)
    let c0 = random.array(m * n)
    let naive = NaiveKernels()
    let reference = gemm(
      naive, m: m, n: n, k: k, a, transposeA: shape.transposeA, b, transposeB: shape.transposeB,
      into: c0)
    let referenceAccumulated = gemm(
      naive, m: m, n: n, k: k, a, transposeA: shape.transposeA, b, transposeB: shape.transposeB,
      into: c0, accumulate: true)

    for choice in KernelChoice.tiled {
      // Without accumulate c must be overwritten everywhere: start from NaN so a missed element
      // shows up.
      let overwritten = gemm(
        choice.kernels, m: m, n: n, k: k, a, transposeA: shape.transposeA, b,
        transposeB: shape.transposeB, into: [Float](repeating: .nan, count: m * n))
      let ratio = worstRatio(overwritten, reference) {
        Self.tolerance(k: k, reference: reference[$0])
      }
      #expect(ratio <= 1, "\(choice): worst error is \(ratio)x the tolerance")

      let accumulated = gemm(
        choice.kernels, m: m, n: n, k: k, a, transposeA: shape.transposeA, b,
        transposeB: shape.transposeB, into: c0, accumulate: true)
      let accumulatedRatio = worstRatio(accumulated, referenceAccumulated) {
        Self.tolerance(k: k, reference: referenceAccumulated[$0])
      }
      #expect(accumulatedRatio <= 1, "\(choice) accumulate: worst error \(accumulatedRatio)x")
    }
  }

  @Test("a tall, deep GEMM packed in several groups of k-blocks matches naive")
  func severalPackingGroups() {
    // 2000 rows and k = 2100 (9 k-blocks): more than the 16 MB packing budget at once, so the
    // tiled GEMM packs and multiplies a group of k-blocks at a time.
    let (m, n, k) = (2000, 8, 2100)
    var random = TestRandom(seed: 99)
    let a = random.array(k * m)  // stored transposed, (k, m)
    let b = random.array(n * k)  // stored transposed, (n, k)
    let c0 = random.array(m * n)
    let reference = gemm(
      NaiveKernels(), m: m, n: n, k: k, a, transposeA: true, b, transposeB: true, into: c0,
      accumulate: true)
    for threads in [1, 2] {
      let c = gemm(
        TiledKernels(threads: threads), m: m, n: n, k: k, a, transposeA: true, b,
        transposeB: true, into: c0, accumulate: true)
      let ratio = worstRatio(c, reference) { Self.tolerance(k: k, reference: reference[$0]) }
      #expect(ratio <= 1, "threads = \(threads)")
    }
  }

  @Test("a very tall GEMM packed in several row blocks matches naive")
  func severalRowBlocks() {
    // 8200 rows with k = 256: a's packed copy would pass half the 16 MB budget, so the tiled
    // GEMM packs and multiplies 2 blocks of rows one after the other.
    let (m, n, k) = (8200, 40, 256)
    var random = TestRandom(seed: 98)
    let a = random.array(m * k)
    let b = random.array(k * n)
    let reference = gemm(
      NaiveKernels(), m: m, n: n, k: k, a, b, into: [Float](repeating: 0, count: m * n))
    for threads in [1, 2] {
      let c = gemm(
        TiledKernels(threads: threads), m: m, n: n, k: k, a, b,
        into: [Float](repeating: .nan, count: m * n))
      let ratio = worstRatio(c, reference) { Self.tolerance(k: k, reference: reference[$0]) }
      #expect(ratio <= 1, "threads = \(threads)")
    }
  }

  @Test("a hand-computed product, plain and transposed", arguments: KernelChoice.allCases)
  func handComputed(_ choice: KernelChoice) {
    // a = [1 2 3; 4 5 6] (2, 3), b = [7 8; 9 10; 11 12] (3, 2): a·b = [58 64; 139 154]
    let a: [Float] = [1, 2, 3, 4, 5, 6]
    let b: [Float] = [7, 8, 9, 10, 11, 12]
    let aT: [Float] = [1, 4, 2, 5, 3, 6]  // a stored transposed, (3, 2)
    let bT: [Float] = [7, 9, 11, 8, 10, 12]  // b stored transposed, (2, 3)
    let expected: [Float] = [58, 64, 139, 154]
    let kernels = choice.kernels
    let zero = [Float](repeating: 0, count: 4)
    #expect(gemm(kernels, m: 2, n: 2, k: 3, a, b, into: zero) == expected)
    #expect(gemm(kernels, m: 2, n: 2, k: 3, aT, transposeA: true, b, into: zero) == expected)
    #expect(gemm(kernels, m: 2, n: 2, k: 3, a, bT, transposeB: true, into: zero) == expected)
    #expect(
      gemm(kernels, m: 2, n: 2, k: 3, aT, transposeA: true, bT, transposeB: true, into: zero)
        == expected)
    // accumulate adds to what c holds
    #expect(
      gemm(kernels, m: 2, n: 2, k: 3, a, b, into: [1, 1, 1, 1], accumulate: true)
        == [59, 65, 140, 155])
  }

  @Test("k = 0 gives zeros, or leaves c alone when accumulating", arguments: KernelChoice.allCases)
  func emptyInnerDimension(_ choice: KernelChoice) {
    let c: [Float] = [1, 2, 3, 4, 5, 6]
    let none: [Float] = [0]  // a valid pointer; k = 0 means nothing is read
    #expect(gemm(choice.kernels, m: 2, n: 3, k: 0, none, none, into: c) == [0, 0, 0, 0, 0, 0])
    #expect(gemm(choice.kernels, m: 2, n: 3, k: 0, none, none, into: c, accumulate: true) == c)
  }

  @Test("the same GEMM twice gives bit-identical results, also across thread counts")
  func deterministic() {
    let (m, n, k) = (129, 300, 700)  // several k-blocks and edge tiles, large enough to go parallel
    var random = TestRandom(seed: 7)
    let a = random.array(m * k)
    let b = random.array(n * k)
    let zero = [Float](repeating: 0, count: m * n)
    let first = gemm(TiledKernels(threads: 2), m: m, n: n, k: k, a, b, transposeB: true, into: zero)
    for threads in [2, 2, 1, 3] {
      let again = gemm(
        TiledKernels(threads: threads), m: m, n: n, k: k, a, b, transposeB: true, into: zero)
      #expect(again.map(\.bitPattern) == first.map(\.bitPattern), "threads = \(threads)")
    }
  }
}
