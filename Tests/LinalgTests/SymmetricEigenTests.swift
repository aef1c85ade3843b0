import Foundation
import TensorCore
import Testing

@testable import Linalg

// Helpers on row-major (n, n) Double matrices.

private func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
  var rng = RandomGenerator(seed: seed)
  var a = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0...i {
      let x = Double(rng.normal())
      a[i * n + j] = x
      a[j * n + i] = x
    }
  }
  return a
}

/// The largest |(A v − λ v)_i| over all eigenpairs, and the largest |VVᵀ − I| entry.
private func residuals(_ a: [Double], _ eigen: SymmetricEigen) -> (
  av: Double, orthonormality: Double
) {
  let n = eigen.n
  var worstAV = 0.0
  var worstOrtho = 0.0
  for k in 0..<n {
    let v = eigen.vector(k)
    for i in 0..<n {
      var av = 0.0
      for j in 0..<n { av += a[i * n + j] * v[j] }
      worstAV = max(worstAV, abs(av - eigen.values[k] * v[i]))
    }
    for l in 0..<n {
      let u = eigen.vector(l)
      let dot = zip(u, v).reduce(0.0) { $0 + $1.0 * $1.1 }
      worstOrtho = max(worstOrtho, abs(dot - (k == l ? 1 : 0)))
    }
  }
  return (worstAV, worstOrtho)
}

@Test func diagonalMatrixGivesItsEntriesAndTheAxes() {
  let entries = [2.0, -1.0, 5.0, 0.5]
  var a = [Double](repeating: 0, count: 16)
  for i in 0..<4 { a[i * 4 + i] = entries[i] }
  let eigen = SymmetricEigen.decompose(a, n: 4)
  #expect(eigen.values == [5.0, 2.0, 0.5, -1.0])
  // Sorted order 5, 2, 0.5, −1 is axes 2, 0, 3, 1, each signed positive.
  for (row, axis) in [2, 0, 3, 1].enumerated() {
    #expect(eigen.vector(row) == (0..<4).map { $0 == axis ? 1.0 : 0.0 })
  }
}

@Test func twoByTwoMatchesTheClosedForm() {
  // [[a, b], [b, c]]: λ = (a + c)/2 ± sqrt(((a − c)/2)² + b²).
  for (a, b, c) in [(2.0, 1.0, 2.0), (1.0, -3.0, 4.0), (0.0, 1e-3, 1.0), (-2.0, 0.0, 3.0)] {
    let eigen = SymmetricEigen.decompose([a, b, b, c], n: 2)
    let centre = (a + c) / 2
    let radius = (((a - c) / 2) * ((a - c) / 2) + b * b).squareRoot()
    #expect(abs(eigen.values[0] - (centre + radius)) < 1e-12)
    #expect(abs(eigen.values[1] - (centre - radius)) < 1e-12)
    let r = residuals([a, b, b, c], eigen)
    #expect(r.av < 1e-12 && r.orthonormality < 1e-12)
  }
  // [[2, 1], [1, 2]]: 3 along (1, 1)/√2, 1 along (1, −1)/√2.
  let eigen = SymmetricEigen.decompose([2, 1, 1, 2], n: 2)
  #expect(abs(eigen.vector(0)[0] - 0.5.squareRoot()) < 1e-12)
  #expect(abs(eigen.vector(0)[1] - 0.5.squareRoot()) < 1e-12)
  #expect(abs(abs(eigen.vector(1)[0] * eigen.vector(1)[1]) - 0.5) < 1e-12)
}

@Test func randomSymmetricSevenBySeven() {
  let a = randomSymmetric(7, seed: 42)
  let eigen = SymmetricEigen.decompose(a, n: 7)
  let r = residuals(a, eigen)
  #expect(r.av < 1e-12)
  #expect(r.orthonormality < 1e-12)
  let trace = (0..<7).reduce(0.0) { $0 + a[$1 * 7 + $1] }
  #expect(abs(eigen.values.reduce(0, +) - trace) < 1e-12)
  #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
}

@Test func randomMatricesOfManySizes() {
  for n in [0, 1, 2, 3, 5, 16, 33, 100] {
    let a = randomSymmetric(n, seed: UInt64(n))
    let eigen = SymmetricEigen.decompose(a, n: n)
    #expect(eigen.values.count == n)
    let r = residuals(a, eigen)
    #expect(r.av < 1e-11, "n = \(n)")
    #expect(r.orthonormality < 1e-11, "n = \(n)")
    // Each vector's largest entry is positive.
    for k in 0..<n {
      let v = eigen.vector(k)
      #expect(v.max { abs($0) < abs($1) }! > 0)
    }
  }
}

@Test func knownSpectrumWithRepeatedEigenvaluesIsRecovered() {
  // A = Q diag(λ) Qᵀ with Q orthogonal (from a first decomposition) and λ with repeats and zeros.
  let n = 12
  let q = SymmetricEigen.decompose(randomSymmetric(n, seed: 9), n: n)
  let lambdas: [Double] = [7, 7, 7, 3, 3, 1, 0, 0, 0, -2, -2, -5]
  var a = [Double](repeating: 0, count: n * n)
  for k in 0..<n {
    let v = q.vector(k)
    for i in 0..<n {
      for j in 0..<n { a[i * n + j] += lambdas[k] * v[i] * v[j] }
    }
  }
  let eigen = SymmetricEigen.decompose(a, n: n)
  for (found, expected) in zip(eigen.values, lambdas) { #expect(abs(found - expected) < 1e-12) }
  let r = residuals(a, eigen)
  #expect(r.av < 1e-12 && r.orthonormality < 1e-12)
}

@Test func zeroMatrixAndTridiagonalInput() {
  let zero = SymmetricEigen.decompose([Double](repeating: 0, count: 9), n: 3)
  #expect(zero.values == [0, 0, 0])
  #expect(residuals([Double](repeating: 0, count: 9), zero).orthonormality < 1e-15)
  // The discrete Laplacian tridiag(−1, 2, −1) of size n has eigenvalues 2 − 2 cos(kπ/(n + 1)).
  let n = 10
  var a = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    a[i * n + i] = 2
    if i + 1 < n {
      a[i * n + i + 1] = -1
      a[(i + 1) * n + i] = -1
    }
  }
  let eigen = SymmetricEigen.decompose(a, n: n)
  let expected = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }.sorted(by: >)
  for (found, want) in zip(eigen.values, expected) { #expect(abs(found - want) < 1e-13) }
}

@Test func tridiagonaliseIsAnOrthogonalSimilarity() {
  let n = 9
  let a = randomSymmetric(n, seed: 3)
  let (diagonal, offDiagonal, qT) = SymmetricEigen.tridiagonalise(a, n: n)
  // T = Qᵀ A Q, computed directly, must be tridiagonal with the returned entries.
  for i in 0..<n {
    for j in 0..<n {
      var t = 0.0
      for p in 0..<n {
        for r in 0..<n { t += qT[i * n + p] * a[p * n + r] * qT[j * n + r] }
      }
      let expected =
        i == j ? diagonal[i] : (abs(i - j) == 1 ? offDiagonal[min(i, j)] : 0)
      #expect(abs(t - expected) < 1e-12, "T[\(i), \(j)]")
    }
  }
  #expect(offDiagonal[n - 1] == 0)
}
