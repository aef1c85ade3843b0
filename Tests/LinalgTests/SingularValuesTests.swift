import Foundation
import TensorCore
import Testing

@testable import Linalg

private func matrix(_ rows: [[Double]]) -> Tensor {
  Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0.map(Float.init) })
}

/// The (n, n) plane rotation by `angle` in the (p, q) plane.
private func rotation(_ n: Int, _ p: Int, _ q: Int, _ angle: Double) -> [[Double]] {
  var r = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
  r[p][p] = cos(angle)
  r[q][q] = cos(angle)
  r[p][q] = -sin(angle)
  r[q][p] = sin(angle)
  return r
}

private func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
  a.map { row in (0..<b[0].count).map { j in zip(row, b).reduce(0.0) { $0 + $1.0 * $1.1[j] } } }
}

private func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

@Suite("Singular values")
struct SingularValuesTests {
  /// J = U Σ Vᵀ built by hand: Σ = diag(3, 2, 0.5) padded to (3, 4), U and V products of plane
  /// rotations. Both orientations (3, 4) and (4, 3) give [3, 2, 0.5] (Float entries: 1e-5).
  @Test func rotatedDiagonalMatrixGivesItsDiagonal() {
    let sigma = [[3.0, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0.5, 0]]
    let u = product(rotation(3, 0, 1, 0.7), rotation(3, 1, 2, -1.1))
    let v = product(product(rotation(4, 0, 3, 0.4), rotation(4, 1, 2, 2.0)), rotation(4, 2, 3, 0.3))
    let vT = (0..<4).map { i in (0..<4).map { j in v[j][i] } }
    let j = matrix(product(product(u, sigma), vT))
    #expect(close(singularValues(j), [3, 2, 0.5], 1e-5), "\(singularValues(j))")
    #expect(close(singularValues(j.transposed()), [3, 2, 0.5], 1e-5))
    // Unrotated, the diagonal comes back sorted.
    let plain = matrix([[0.5, 0, 0], [0, 3, 0], [0, 0, 2]])
    #expect(close(singularValues(plain), [3, 2, 0.5], 1e-6))
  }

  /// u vᵀ has one singular value, |u||v|, and the rest 0 (clamped, never NaN).
  @Test func rankOneMatrixHasOneNonZeroValue() {
    let u = [1.0, -2, 2]  // |u| = 3
    let v = [0.0, 3, 4, 0, 0]  // |v| = 5
    let j = matrix(u.map { a in v.map { a * $0 } })
    let s = singularValues(j)
    #expect(s.count == 3)
    #expect(Swift.abs(s[0] - 15) <= 1e-5)
    #expect(s.dropFirst().allSatisfy { $0 >= 0 && $0 <= 1e-3 }, "\(s)")
  }

  /// A random (4, 6) matrix: the values are the square roots of the eigenvalues of the other
  /// product too, the 6 × 6 JᵀJ (whose two extra eigenvalues are 0), and Σ σ² = ‖J‖_F².
  @Test func randomMatrixAgreesWithTheOtherGramMatrix() {
    var rng = RandomGenerator(seed: 601)
    let j = Tensor.normal([4, 6], std: 1, using: &rng)
    let s = singularValues(j)
    #expect(s.count == 4)
    #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })

    let a = j.scalars.map(Double.init)
    var gram = [Double](repeating: 0, count: 36)
    for k in 0..<6 {
      for l in 0..<6 {
        for r in 0..<4 { gram[k * 6 + l] += a[r * 6 + k] * a[r * 6 + l] }
      }
    }
    let eigen = SymmetricEigen.decompose(gram, n: 6).values
    #expect(close(s, eigen.prefix(4).map { $0.squareRoot() }, 1e-9), "\(s) vs \(eigen)")
    #expect(eigen.suffix(2).allSatisfy { Swift.abs($0) <= 1e-9 }, "\(eigen)")
    #expect(close(singularValues(j.transposed()), s, 1e-9))

    let frobenius = a.reduce(0) { $0 + $1 * $1 }
    #expect(Swift.abs(s.reduce(0) { $0 + $1 * $1 } - frobenius) <= 1e-9 * frobenius)
  }
}

@Suite("Right singular vectors")
struct RightSingularVectorTests {
  @Test func aDiagonalMatrixStretchesItsAxes() {
    // J = [[0, 3, 0, 0], [2, 0, 0, 0]]: σ = 3 along e2, σ = 2 along e1.
    let j = Tensor(shape: [2, 4], scalars: [0, 3, 0, 0, 2, 0, 0, 0])
    let top = topRightSingularVectors(j, count: 2)
    #expect(abs(top[0].value - 3) < 1e-12 && abs(top[1].value - 2) < 1e-12)
    #expect(abs(abs(top[0].vector[1]) - 1) < 1e-12 && abs(abs(top[1].vector[0]) - 1) < 1e-12)
  }

  @Test func vectorsSatisfyTheDefinition() {
    // ‖J v‖ = σ for each returned v, and the values match singularValues.
    var rng = RandomGenerator(seed: 5)
    let j = Tensor.uniform([3, 7], low: -1, high: 1, using: &rng)
    let top = topRightSingularVectors(j, count: 3)
    let all = singularValues(j)
    for (r, pair) in top.enumerated() {
      #expect(abs(pair.value - all[r]) < 1e-9)
      var norm = 0.0
      for k in 0..<3 {
        var s = 0.0
        for i in 0..<7 { s += Double(j.scalars[k * 7 + i]) * pair.vector[i] }
        norm += s * s
      }
      #expect(abs(norm.squareRoot() - pair.value) < 1e-9)
    }
  }
}
