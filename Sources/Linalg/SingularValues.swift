import Foundation
import TensorCore

/// The singular values of an (m, d) matrix, largest first: min(m, d) numbers, all ≥ 0.
///
/// If J = U Σ Vᵀ, then J Jᵀ = U Σ² Uᵀ and JᵀJ = V Σ² Vᵀ, so the singular values are the square roots
/// of the eigenvalues of either product. We form the smaller one in Double (J Jᵀ, (m, m), when
/// m ≤ d; JᵀJ, (d, d), otherwise) and decompose it with `SymmetricEigen`, which returns the
/// eigenvalues largest first. Rounding can leave an eigenvalue that should be 0 slightly negative;
/// it is clamped to 0 before the square root.
///
/// Accuracy: squaring the matrix squares its condition number, so singular values far below the
/// largest (below about 1e-8 σ_max in Double) are lost in rounding; for the Jacobians of chapter 4,
/// whose spectrum is what a figure shows, that is plenty.
public func singularValues(_ j: Tensor) -> [Double] {
  check(j.rank == 2, "singularValues: expected a matrix (m, d), not shape \(j.shape)")
  let (m, d) = (j.shape[0], j.shape[1])
  let n = Swift.min(m, d)
  if n == 0 { return [] }
  let a = j.scalars.map(Double.init)
  var gram = [Double](repeating: 0, count: n * n)
  if m <= d {
    gram = rowGram(a, rows: m, columns: d)
  } else {
    // (JᵀJ)_kl = Σ_r J_rk J_rl
    for r in 0..<m {
      for k in 0..<d {
        let x = a[r * d + k]
        if x == 0 { continue }
        for l in 0...k { gram[k * n + l] += x * a[r * d + l] }
      }
    }
    for k in 0..<d {
      for l in 0..<k { gram[l * n + k] = gram[k * n + l] }
    }
  }
  return SymmetricEigen.decompose(gram, n: n).values.map { Swift.max($0, 0).squareRoot() }
}

/// The `count` largest singular values of an (m, d) matrix J with m ≤ d, each with its right
/// singular vector v (d numbers, unit length): the input direction that J stretches by σ. From
/// the eigenvectors u of J Jᵀ (m, m): J Jᵀ u = σ² u, and v = Jᵀ u / σ.
public func topRightSingularVectors(_ j: Tensor, count: Int) -> [(value: Double, vector: [Double])]
{
  check(j.rank == 2 && j.shape[0] <= j.shape[1], "topRightSingularVectors: J must be (m, d), m ≤ d")
  let (m, d) = (j.shape[0], j.shape[1])
  let a = j.scalars.map(Double.init)
  let eigen = SymmetricEigen.decompose(rowGram(a, rows: m, columns: d), n: m)
  return (0..<Swift.min(count, m)).map { r in
    let sigma = Swift.max(eigen.values[r], 0).squareRoot()
    let u = eigen.vector(r)
    var v = [Double](repeating: 0, count: d)
    for k in 0..<m where u[k] != 0 {
      for i in 0..<d { v[i] += a[k * d + i] * u[k] }
    }
    let norm = Swift.max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-300)
    return (sigma, v.map { $0 / norm })
  }
}

/// J Jᵀ for a row-major (rows, columns) matrix: (J Jᵀ)_kl = Σ_i J_ki J_li, (rows, rows).
private func rowGram(_ a: [Double], rows m: Int, columns d: Int) -> [Double] {
  var gram = [Double](repeating: 0, count: m * m)
  for k in 0..<m {
    for l in 0...k {
      var s = 0.0
      for i in 0..<d { s += a[k * d + i] * a[l * d + i] }
      gram[k * m + l] = s
      gram[l * m + k] = s
    }
  }
  return gram
}
