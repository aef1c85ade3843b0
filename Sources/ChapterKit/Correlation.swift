import TensorCore

/// Pearson's correlation between the elements of two tensors of the same shape:
/// cov(a, b) / (σ_a σ_b), 1 for a perfect copy, 0 for no linear relation at all. Chapter 1's
/// copying test: feed an autoencoder uniform noise and correlate the noise with what comes out.
public func correlation(_ a: Tensor, _ b: Tensor) -> Double {
  check(a.shape == b.shape, "correlation: shapes \(a.shape) and \(b.shape) differ")
  let x = a.scalars.map(Double.init)
  let y = b.scalars.map(Double.init)
  let n = Double(x.count)
  let (mx, my) = (x.reduce(0, +) / n, y.reduce(0, +) / n)
  var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
  for (u, v) in zip(x, y) {
    sxy += (u - mx) * (v - my)
    sxx += (u - mx) * (u - mx)
    syy += (v - my) * (v - my)
  }
  return sxy / max((sxx * syy).squareRoot(), 1e-12)
}
