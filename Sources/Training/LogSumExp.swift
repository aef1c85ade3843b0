import Foundation

/// log Σ_i exp(x_i), computed without overflow or underflow: with m = max x_i,
///   log Σ exp(x_i) = m + log Σ exp(x_i − m),
/// where every exp(x_i − m) is in (0, 1] and the largest is exactly 1, so the sum is in [1, n].
/// Log-weights of an importance-weighted bound are hundreds of nats below zero: exp of them
/// directly is 0 in any floating-point format, and their log is −∞.
/// The empty sum is 0, whose log is −∞; a +∞ term gives +∞, a NaN gives NaN.
public func logSumExp(_ values: [Double]) -> Double {
  if values.contains(where: \.isNaN) { return .nan }
  guard let m = values.max() else { return -Double.infinity }
  if !m.isFinite { return m }  // all −∞ (or a +∞): the sum is that
  var total = 0.0
  for v in values { total += Foundation.exp(v - m) }
  return m + Foundation.log(total)
}
