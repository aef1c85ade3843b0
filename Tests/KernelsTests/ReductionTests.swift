import Kernels
import Testing

/// A (outer, n, inner) view to sum over n.
struct SumCase: Sendable, CustomTestStringConvertible {
  let outer: Int, n: Int, inner: Int
  let label: String

  var testDescription: String { "\(label) (\(outer), \(n), \(inner))" }

  static let all: [SumCase] = [
    // everything: outer = 1, inner = 1
    SumCase(outer: 1, n: 1, inner: 1, label: "all"),
    SumCase(outer: 1, n: 77, inner: 1, label: "all"),
    SumCase(outer: 1, n: 1_000_003, inner: 1, label: "all"),
    // row sums of a (rows, cols) matrix: outer = rows, n = cols
    SumCase(outer: 3, n: 5, inner: 1, label: "rows"),
    SumCase(outer: 5, n: 100_003, inner: 1, label: "rows"),  // few long rows: rows are cut up
    SumCase(outer: 517, n: 1001, inner: 1, label: "rows"),
    // column sums (the bias gradient): outer = 1, n = rows, inner = cols
    SumCase(outer: 1, n: 3, inner: 5, label: "columns"),
    SumCase(outer: 1, n: 128, inner: 784, label: "columns"),
    SumCase(outer: 1, n: 1001, inner: 517, label: "columns"),
    SumCase(outer: 1, n: 100_003, inner: 7, label: "columns"),
    // the middle axis of a 3-D array
    SumCase(outer: 3, n: 5, inner: 7, label: "middle"),
    SumCase(outer: 5, n: 999, inner: 131, label: "middle"),
    // nothing to sum: zeros
    SumCase(outer: 2, n: 0, inner: 3, label: "empty"),
  ]
}

@Suite("Sum")
struct ReductionTests {
  @Test("tiled equals naive on every view pattern", arguments: SumCase.all)
  func tiledMatchesNaive(_ view: SumCase) {
    let (outer, n, inner) = (view.outer, view.n, view.inner)
    var random = TestRandom(seed: UInt64(outer * 31 + n * 7 + inner))
    let x = random.array(outer * n * inner)
    let reference = sum(NaiveKernels(), x, outer: outer, n: n, inner: inner)
    // Tiled adds in Float, naive in Double. Float rounding error grows with the size of the
    // terms, so the allowance is relative to Σ|x| of each output:
    //   |tiled − naive| ≤ 1e-6 · (1 + Σ_j |x[o, j, i]|)
    let magnitude = sum(NaiveKernels(), x.map { Swift.abs($0) }, outer: outer, n: n, inner: inner)
    for choice in KernelChoice.tiled {
      let out = sum(choice.kernels, x, outer: outer, n: n, inner: inner)
      #expect(worstRatio(out, reference) { 1e-6 * (1 + magnitude[$0]) } <= 1, "\(choice)")
    }
  }

  @Test("a hand-computed 2x3 matrix", arguments: KernelChoice.allCases)
  func handComputed(_ choice: KernelChoice) {
    let x: [Float] = [1, 2, 3, 4, 5, 6]  // [1 2 3; 4 5 6]
    let k = choice.kernels
    #expect(sum(k, x, outer: 1, n: 6, inner: 1) == [21])
    #expect(sum(k, x, outer: 2, n: 3, inner: 1) == [6, 15])
    #expect(sum(k, x, outer: 1, n: 2, inner: 3) == [5, 7, 9])
  }

  @Test("the sum of everything is bit-identical run after run")
  func deterministic() {
    var random = TestRandom(seed: 5)
    let x = random.array(1_000_003)
    let first = sum(TiledKernels(threads: 2), x, outer: 1, n: x.count, inner: 1)
    for _ in 0..<3 {
      let again = sum(TiledKernels(threads: 2), x, outer: 1, n: x.count, inner: 1)
      #expect(again[0].bitPattern == first[0].bitPattern)
    }
  }
}
