// exp, and the two activations built on it (sigmoid and tanh), written out instead of calling the
// C library, so that they run 16 lanes at a time.
//
// Why bother? The C library's expf handles one float per call, about 6 ns each here: on chapter
// 1's output layer (128 x 784 sigmoids per batch) that was slower than the layer's matrix multiply.
// The formula below is a handful of multiply-adds with no branch, so the compiler turns it into
// AVX-512 instructions on 16 floats at once, about 40 times faster (the kernel lab measures it).
//
// The method (as in the Cephes library's expf, by S. Moshier):
//   1. Range reduction. Write x = n·ln 2 + r with n = round(x / ln 2), so that |r| ≤ ln(2)/2.
//      Then eˣ = 2ⁿ · eʳ. The power of two is exact: n goes straight into the exponent bits.
//   2. Approximation. On that small interval eʳ ≈ 1 + r + r²·P(r), a degree-5 polynomial whose
//      coefficients were fitted to minimise the worst relative error. It is accurate to about one
//      unit in the last place of a Float (the tests compare with Double's exp).
// Tricks worth knowing:
//   * round(): adding 1.5·2²³ to a float of magnitude below 2²² leaves no bits for a fraction, so
//     the addition itself rounds to the nearest integer, and that integer sits in the low bits of
//     the sum. Shifting those bits left by 23 puts it into the exponent field.
//   * ln 2 in two pieces (ln2High has few significant bits, so n·ln2High is exact): r keeps its
//     accuracy when x is large.
//   * The edges: below about −87 eˣ is smaller than 2·10⁻³⁸, and the result is 0 (the kernels
//     flush numbers that small to zero anyway); above ln(Float.greatestFiniteMagnitude) it is
//     +infinity. A NaN stays NaN, so a diverging loss is still caught.

/// Lower edge: for x below this, exponential returns 0 (the true value is below 1.7·10⁻³⁸).
@usableFromInline let expLowest: Float = -86.98
/// Upper edge: ln of the largest Float; above it, exponential returns +infinity.
@usableFromInline let expHighest: Float = 88.72284

/// eˣ, lane by lane, within about one unit in the last place.
@inlinable @inline(__always)
public func exponential<V: FloatLanes>(_ x: V) -> V {
  // Keep x in range for the integer tricks; a NaN passes both tests and stays NaN.
  var clamped = V.select(x, lessThan: V(expLowest), then: V(expLowest), else: x)
  clamped = V.select(V(expHighest), lessThan: clamped, then: V(expHighest), else: clamped)

  // n = round(x / ln 2), in the low bits of `shifted`, and as a float in `n`.
  let roundingShift: Float = 12_582_912  // 1.5 · 2²³
  let shifted = clamped * V(1.442_695_04) + V(roundingShift)  // x · log₂e, rounded
  let n = shifted - V(roundingShift)

  // r = x − n·ln 2, with ln 2 = ln2High + ln2Low.
  let r = clamped - n * V(0.693_359_375) - n * V(-2.121_944_4e-4)

  // eʳ ≈ 1 + r + r²·P(r)
  var p = V(1.987_569_15e-4)
  p = p * r + V(1.398_199_95e-3)
  p = p * r + V(8.333_451_9e-3)
  p = p * r + V(4.166_579_59e-2)
  p = p * r + V(1.666_666_55e-1)
  p = p * r + V(5.000_000_12e-1)
  let er = p * (r * r) + r + V(1)

  // 2ⁿ · eʳ, computed as (2·eʳ) · 2ⁿ⁻¹: n can be 128, whose power of two is not a Float, but the
  // product still is when it is at most the largest Float (and becomes +infinity when not).
  // Exponent field of 2ⁿ⁻¹ = n − 1 + 127, and the bits of `shifted` are 0x4B40_0000 + n.
  let scale = shifted.shiftedIntoExponent(adding: 126 &- 0x4B40_0000)
  var y = (er * V(2)) * scale
  y = V.select(x, lessThan: V(expLowest), then: V(0), else: y)
  y = V.select(V(expHighest), lessThan: x, then: V(Float.infinity), else: y)
  return y
}

/// σ(x) = 1 / (1 + e⁻ˣ), lane by lane. For large negative x, e⁻ˣ becomes +infinity and σ 0;
/// for large positive x, e⁻ˣ becomes 0 and σ exactly 1.
@inlinable @inline(__always)
public func logistic<V: FloatLanes>(_ x: V) -> V {
  V(1) / (V(1) + exponential(V(0) - x))
}

/// tanh(x), lane by lane: 1 − 2 / (e²ˣ + 1), except near 0, where that formula would subtract two
/// nearly equal numbers and lose digits; there (|x| < 0.625) an odd polynomial (Cephes' tanhf) is
/// used instead. Both branches are computed and one is picked per lane, which SIMD code does
/// faster than it could branch.
@inlinable @inline(__always)
public func hyperbolicTangent<V: FloatLanes>(_ x: V) -> V {
  let large = V(1) - V(2) / (exponential(x + x) + V(1))
  let z = x * x
  var p = V(-5.704_988_72e-3)
  p = p * z + V(2.063_908_88e-2)
  p = p * z - V(5.373_971_55e-2)
  p = p * z + V(1.333_144_22e-1)
  p = p * z - V(3.333_328_19e-1)
  let small = p * z * x + x
  return V.select(z, lessThan: V(0.390_625), then: small, else: large)  // 0.390625 = 0.625²
}
