import Kernels
import Testing

/// Σ (a − b)² (or Σ a²) through a kernel set, on arrays.
func sumOfSquares(_ kernels: any KernelSet, _ a: [Float], minus b: [Float]? = nil) -> Double {
  a.withUnsafeBufferPointer { a in
    guard let b else {
      return kernels.sumOfSquares(a.baseAddress!, minus: nil, count: a.count)
    }
    return b.withUnsafeBufferPointer { b in
      kernels.sumOfSquares(a.baseAddress!, minus: b.baseAddress!, count: a.count)
    }
  }
}

@Suite("Sum of squares")
struct SumOfSquaresTests {
  /// Counts around the tiled loop's 64- and 16-float steps, a batch of chapter 1 (128 x 784)
  /// and a long odd one.
  static let counts = [1, 15, 16, 17, 63, 64, 65, 1000, 128 * 784, 1_000_003]

  @Test("tiled equals naive, with and without b", arguments: counts)
  func tiledMatchesNaive(_ count: Int) {
    var random = TestRandom(seed: UInt64(count))
    let a = random.array(count)
    let b = random.array(count, -0.5, 1.5)
    for withB in [false, true] {
      let reference = sumOfSquares(NaiveKernels(), a, minus: withB ? b : nil)
      for choice in KernelChoice.tiled {
        let tiled = sumOfSquares(choice.kernels, a, minus: withB ? b : nil)
        // Both add in Double, in different orders. The naive loop's own error can reach
        // count · 2⁻⁵³ of the sum (each add rounds a running total that holds all of it).
        let allowance = Double(count) * 0x1p-53 * reference
        #expect(Swift.abs(tiled - reference) <= allowance, "\(choice), b: \(withB)")
      }
    }
  }

  @Test("hand-computed values, and nothing to sum", arguments: KernelChoice.allCases)
  func handComputed(_ choice: KernelChoice) {
    let k = choice.kernels
    #expect(sumOfSquares(k, [1, 2, 3]) == 14)
    #expect(sumOfSquares(k, [1, 2, 3], minus: [0, 0, 1]) == 9)
    // 40 ones and 40 twos: enough for the tiled loop's vectors and its tail.
    let ones = [Float](repeating: 1, count: 40) + [Float](repeating: 2, count: 40)
    #expect(sumOfSquares(k, ones) == 200)
    #expect(sumOfSquares(k, ones, minus: ones) == 0)
    let empty: [Float] = []
    #expect(k.sumOfSquares(empty, minus: empty, count: 0) == 0)
  }

  @Test("the difference is rounded to Float before it is squared, as Float(a − b) is")
  func differenceInFloat() {
    // 1 − 2⁻²⁵ is not a Float: a − b rounds to 1, whose square is 1, while (Double(a) −
    // Double(b))² would be 1 − 2⁻²⁴ + 2⁻⁵⁰. Repeated to fill vectors and a tail.
    let a = [Float](repeating: 1, count: 67)
    let b = [Float](repeating: 0x1p-25, count: 67)
    for choice in KernelChoice.allCases {
      #expect(sumOfSquares(choice.kernels, a, minus: b) == 67, "\(choice)")
    }
  }

  @Test("the same bits on 1, 2 and 3 threads")
  func sameBitsOnAnyThreadCount() {
    var random = TestRandom(seed: 5)
    let a = random.array(300_007)
    let b = random.array(300_007)
    let one = sumOfSquares(TiledKernels(threads: 1), a, minus: b)
    for threads in [2, 3] {
      #expect(sumOfSquares(TiledKernels(threads: threads), a, minus: b) == one)
    }
  }
}
