/// The reference kernels: one plain loop per formula, in the order the math is written.
/// Slow on purpose, and never removed: every fast kernel is tested against these.
public struct NaiveKernels: KernelSet {
  public var name: String { "naive" }

  public init() {}

  // a is (m, k) or stored (k, m) when transposeA; b is (k, n) or stored (n, k) when transposeB;
  // c is (m, n).  c[i, j] (+)= Σ_p op(a)[i, p] · op(b)[p, j]
  public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, transposeA: Bool,
    b: UnsafePointer<Float>, transposeB: Bool,
    c: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var total: Float = 0
        for p in 0..<k {
          let aip = transposeA ? a[p * m + i] : a[i * k + p]
          let bpj = transposeB ? b[j * k + p] : b[p * n + j]
          total += aip * bpj
        }
        c[i * n + j] = accumulate ? c[i * n + j] + total : total
      }
    }
  }

  // x, y are (count)
  public func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { y[i] = op.apply(x[i]) }
  }

  // x, y, dy, dx are (count)
  public func unaryBackward(
    _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { dx[i] = dy[i] * op.derivative(x: x[i], y: y[i]) }
  }

  // a, out are (count); b is (bCount), repeated count / bCount times
  public func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, count: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count { out[i] = op.apply(a[i], b[i % bCount]) }
  }

  // x is (outer, n, inner); out is (outer, inner). Accumulates in Double: this is the reference.
  public func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    for o in 0..<outer {
      for i in 0..<inner {
        var total: Double = 0
        for j in 0..<n { total += Double(x[(o * n + j) * inner + i]) }
        out[o * inner + i] = Float(total)
      }
    }
  }

  // a, b are (count).  Σ_i (a[i] − b[i])², or Σ_i a[i]² when b is nil
  public func sumOfSquares(_ a: UnsafePointer<Float>, minus b: UnsafePointer<Float>?, count: Int)
    -> Double
  {
    var total: Double = 0
    for i in 0..<count {
      let d = b.map { a[i] - $0[i] } ?? a[i]
      total += Double(d) * Double(d)
    }
    return total
  }

  // theta, g, m, v are (count)
  public func adamUpdate(
    _ step: AdamStep, theta: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { step.update(theta: &theta[i], g: g[i], m: &m[i], v: &v[i]) }
  }
}
