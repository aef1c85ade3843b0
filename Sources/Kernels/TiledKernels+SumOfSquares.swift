// Σ (a − b)² in Double: the sum behind every mean squared error (the loss of chapters 1-6, each
// epoch's test MSE, PCA's reconstruction error) and every squared norm (gradient clipping).
//
// The naive loop adds one square at a time to one Double, so every add waits for the one before
// it (about 4 cycles each) and nothing is vectorised: the compiler may not reorder a
// floating-point sum. On chapter 1's batch (128 x 784 = 100K floats) that loop, run once per
// training step, took about 45 µs on the Zen 5 EPYC, a twentieth of the whole step, and the
// test set's ten blocks of 1,000 images as long again once per epoch (perf, 3 Dec 2026).
//
// Here each of 16 lanes keeps its own Double sums, in four independent chains (64 floats a
// step), and they are added together at the end. Differences are taken in Float, as the naive
// loop does, then widened: the square of a widened Float is exact in Double (24-bit mantissas,
// 48-bit product), so only the adds round, and with 64 short chains instead of one long one they
// round less. The order is fixed by the lanes, never by the thread count (this runs on one
// thread: 100K floats are read in a few microseconds, less than waking a second core costs), so
// the same inputs give the same bits on one thread or two.

extension TiledKernels {
  // a, b are (count).  Σ_i Double(a[i] − b[i])², or Σ_i Double(a[i])² when b is nil
  public func sumOfSquares(_ a: UnsafePointer<Float>, minus b: UnsafePointer<Float>?, count: Int)
    -> Double
  {
    if let b {
      return Self.sumOfSquares(count: count) {
        loadChunk(a + $0) - loadChunk(b + $0)
      } tail: {
        a[$0] - b[$0]
      }
    }
    return Self.sumOfSquares(count: count) {
      loadChunk(a + $0)
    } tail: {
      a[$0]
    }
  }

  // chunk(i) is the 16 values i ..< i + 16, value(i) the one value i.  Σ_i Double(value(i))²
  @inline(__always)
  static func sumOfSquares(
    count: Int, chunk: (Int) -> SIMD16<Float>, tail value: (Int) -> Float
  ) -> Double {
    // Four chains, each a pair of 8-lane Double vectors (the low and high half of 16 floats).
    var s0 = (SIMD8<Double>(), SIMD8<Double>())
    var s1 = s0
    var s2 = s0
    var s3 = s0
    @inline(__always)
    func add(_ s: inout (SIMD8<Double>, SIMD8<Double>), _ d: SIMD16<Float>) {
      let low = SIMD8<Double>(d.lowHalf)
      let high = SIMD8<Double>(d.highHalf)
      s.0.addProduct(low, low)
      s.1.addProduct(high, high)
    }
    var i = 0
    while i + 64 <= count {
      add(&s0, chunk(i))
      add(&s1, chunk(i + 16))
      add(&s2, chunk(i + 32))
      add(&s3, chunk(i + 48))
      i += 64
    }
    while i + 16 <= count {
      add(&s0, chunk(i))
      i += 16
    }
    let lanes = ((s0.0 + s0.1) + (s1.0 + s1.1)) + ((s2.0 + s2.1) + (s3.0 + s3.1))
    var total = lanes.sum()
    while i < count {
      let d = Double(value(i))
      total += d * d
      i += 1
    }
    return total
  }
}
