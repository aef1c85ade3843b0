import Kernels
import Testing

/// Element counts: a single element, less than one SIMD16 chunk, exactly one, one plus a tail,
/// and one large enough (above every parallel threshold) to be split across threads.
let elementCounts = [1, 7, 16, 17, 1_000_003]

/// Every UnaryOp, with parameters that make each branch matter for inputs in [-2, 2].
let allUnaryOps: [UnaryOp] = [
  .relu, .leakyRelu(slope: 0.1), .sigmoid, .tanh, .exp, .log, .square, .abs, .negate, .scale(-2.5),
  .clamp(low: -0.5, high: 0.75),
]

@Suite("Elementwise")
struct ElementwiseTests {
  // Both sets evaluate the same scalar formulas (UnaryOp+Math.swift), so they should agree to
  // the last bit in practice; the tolerance only leaves room for a vector instruction rounding
  // differently from its scalar twin:  |tiled − naive| ≤ 1e-6 · (1 + |naive|).
  static func tolerance(_ reference: Float) -> Float { 1e-6 * (1 + Swift.abs(reference)) }

  /// Inputs in [-2, 2], or in [0.01, 4] for log (defined for x > 0 only).
  static func inputs(_ op: UnaryOp, count: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    return op == .log ? random.array(count, 0.01, 4) : random.array(count, -2, 2)
  }

  @Test("unary: tiled equals naive", arguments: allUnaryOps, elementCounts)
  func unaryMatchesNaive(_ op: UnaryOp, _ count: Int) {
    let x = Self.inputs(op, count: count, seed: UInt64(count))
    let reference = unary(NaiveKernels(), op, x)
    for choice in KernelChoice.tiled {
      let y = unary(choice.kernels, op, x)
      #expect(worstRatio(y, reference) { Self.tolerance(reference[$0]) } <= 1, "\(choice)")
    }
  }

  @Test("unaryBackward: tiled equals naive", arguments: allUnaryOps, elementCounts)
  func unaryBackwardMatchesNaive(_ op: UnaryOp, _ count: Int) {
    let x = Self.inputs(op, count: count, seed: UInt64(count) + 1)
    var random = TestRandom(seed: UInt64(count) + 2)
    let dy = random.array(count)
    let y = unary(NaiveKernels(), op, x)
    let reference = unaryBackward(NaiveKernels(), op, x: x, y: y, dy: dy)
    for choice in KernelChoice.tiled {
      let dx = unaryBackward(choice.kernels, op, x: x, y: y, dy: dy)
      #expect(worstRatio(dx, reference) { Self.tolerance(reference[$0]) } <= 1, "\(choice)")
    }
  }

  @Test("unary works in place (y the same buffer as x)", arguments: [UnaryOp.relu, .sigmoid])
  func unaryInPlace(_ op: UnaryOp) {
    let x = Self.inputs(op, count: 1_000_003, seed: 3)
    let expected = unary(NaiveKernels(), op, x)
    for choice in KernelChoice.tiled {
      var buffer = x
      buffer.withUnsafeMutableBufferPointer { p in
        choice.kernels.unary(op, p.baseAddress!, p.baseAddress!, count: p.count)
      }
      #expect(worstRatio(buffer, expected) { Self.tolerance(expected[$0]) } <= 1, "\(choice)")
    }
  }

  /// The activations whose derivative is a comparison run as vector selects in the tiled set
  /// (LanewiseGradient.swift): at the edges of each comparison (x exactly 0, low or high, −0,
  /// ±infinity, NaN) and for dy of either sign, infinite or NaN, they must give the naive
  /// set's bits, the sign of a zero product included. (Not for a denormal x: the tiled set
  /// runs with flush-to-zero, which reads one as 0, so relu's gradient there is 0, not dy.)
  @Test(
    "unaryBackward of relu, leaky relu, abs and clamp: naive's bits at every edge",
    arguments: [UnaryOp.relu, .leakyRelu(slope: 0.1), .abs, .clamp(low: -0.5, high: 0.75)])
  func comparisonGradientsAreExact(_ op: UnaryOp) {
    let edges: [Float] = [
      0, -0, 0.75, -0.5, 1.5, -1.5, .infinity, -.infinity, .nan, 1e-30, -1e-30, 0.5, -2, 2,
      .leastNormalMagnitude, 3,
    ]
    let dys: [Float] = [1, -1, 0, -0, 2.5, -3.25, .infinity, -.infinity, .nan, 7, -7, 1e-3]
    // Every x with every dy (192 pairs: whole SIMD16 chunks), then 15 edges with dy = −1,
    // which the kernels take one at a time after the last chunk.
    var x: [Float] = []
    var dy: [Float] = []
    for e in edges {
      for d in dys {
        x.append(e)
        dy.append(d)
      }
    }
    x += edges.prefix(15)
    dy += [Float](repeating: -1, count: 15)
    let y = unary(NaiveKernels(), op, x)
    let reference = unaryBackward(NaiveKernels(), op, x: x, y: y, dy: dy)
    for choice in KernelChoice.tiled {
      let dx = unaryBackward(choice.kernels, op, x: x, y: y, dy: dy)
      let wrong = (0..<x.count).filter { dx[$0].bitPattern != reference[$0].bitPattern }
      let first = wrong.first ?? 0
      #expect(
        wrong.isEmpty,
        "\(choice): \(wrong.count) of \(x.count) differ, first x = \(x[first]), dy = \(dy[first])")
    }
  }

  @Test("a few known values", arguments: KernelChoice.allCases)
  func knownValues(_ choice: KernelChoice) {
    let k = choice.kernels
    #expect(unary(k, .relu, [-1, 0, 2]) == [0, 0, 2])
    #expect(unary(k, .leakyRelu(slope: 0.5), [-2, 3]) == [-1, 3])
    #expect(unary(k, .clamp(low: -1, high: 1), [-3, 0.5, 3]) == [-1, 0.5, 1])
    #expect(unary(k, .sigmoid, [0]) == [0.5])
    #expect(unaryBackward(k, .relu, x: [-1, 2], y: [0, 2], dy: [5, 5]) == [0, 5])
    #expect(
      unaryBackward(k, .clamp(low: -1, high: 1), x: [-3, 0, 3], y: [-1, 0, 1], dy: [4, 4, 4])
        == [0, 4, 0])
    #expect(binary(k, .subtract, [10, 20, 30, 40], [1, 2]) == [9, 18, 29, 38])
    #expect(binary(k, .divide, [2, 4, 6], [2]) == [1, 2, 3])
  }

  /// How b relates to a: the same size, a row repeated over the rows of a, or one scalar.
  enum Pattern: String, CaseIterable, Sendable { case full, row, scalar }

  @Test(
    "binary: tiled equals naive for same-size, repeated-row and scalar b",
    arguments: [BinaryOp.add, .subtract, .multiply, .divide], Pattern.allCases)
  func binaryMatchesNaive(_ op: BinaryOp, _ pattern: Pattern) {
    // Odd sizes: 1 row of 1; 3 rows of 7; 1001 rows of 999 (parallel; rows do not line up with
    // the pieces the threads get).
    for (rows, columns) in [(1, 1), (3, 7), (1001, 999)] {
      var random = TestRandom(seed: UInt64(rows * columns))
      let a = random.array(rows * columns)
      let bCount = pattern == .full ? rows * columns : pattern == .row ? columns : 1
      // |b| in [0.5, 1.5] with either sign, so that division stays well-conditioned.
      let b = random.array(bCount).map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 }
      let reference = binary(NaiveKernels(), op, a, b)
      for choice in KernelChoice.tiled {
        let out = binary(choice.kernels, op, a, b)
        #expect(
          worstRatio(out, reference) { Self.tolerance(reference[$0]) } <= 1,
          "\(choice) \(rows)x\(columns)")
      }
    }
  }

  @Test("binary works in place (out the same buffer as a)")
  func binaryInPlace() {
    var random = TestRandom(seed: 11)
    let a = random.array(1001 * 999)
    let row = random.array(999)
    let expected = binary(NaiveKernels(), .add, a, row)
    for choice in KernelChoice.tiled {
      var buffer = a
      buffer.withUnsafeMutableBufferPointer { p in
        row.withUnsafeBufferPointer { r in
          choice.kernels.binary(
            .add, p.baseAddress!, count: p.count, r.baseAddress!, bCount: r.count, p.baseAddress!)
        }
      }
      #expect(worstRatio(buffer, expected) { Self.tolerance(expected[$0]) } <= 1, "\(choice)")
    }
  }
}
