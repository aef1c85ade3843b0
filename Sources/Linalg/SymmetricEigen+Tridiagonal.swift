extension SymmetricEigen {
  /// Householder reduction of the symmetric (n, n) matrix `a` to tridiagonal form T = Qᵀ A Q.
  ///
  /// Returns T's diagonal (n), its off-diagonal (n; entry i couples rows i and i + 1, the last is 0)
  /// and Qᵀ as (n, n) row-major. Working with Qᵀ rather than Q keeps every loop on contiguous rows,
  /// which is what makes it fast: rotations and reflections that act on Q's columns act on Qᵀ's rows.
  ///
  /// Step k (for k = 0 … n − 3) looks at x = A[k+1..<n, k], the part of column k below the
  /// sub-diagonal, and reflects it onto its first axis with the Householder matrix
  ///
  ///     H = I − β v vᵀ,   v = x − α e₁,   α = −sign(x₀) ‖x‖,   β = 2 / vᵀv,   so H x = α e₁.
  ///
  /// (α takes the sign opposite to x₀ so that v₀ = x₀ − α adds two numbers of one sign and never
  /// cancels.) A ← H A H keeps A symmetric with the same eigenvalues, zeroes column k (and row k)
  /// beyond the sub-diagonal, and leaves columns 0 … k − 1 alone because H only touches rows and
  /// columns k + 1 … n − 1. Computing H A H as a rank-2 update of the trailing block B is O(m²):
  ///
  ///     p = β B v,   w = p − (β/2)(vᵀp) v,   B ← B − v wᵀ − w vᵀ.
  static func tridiagonalise(_ a: [Double], n: Int) -> (
    diagonal: [Double], offDiagonal: [Double], qTransposed: [Double]
  ) {
    var a = a
    var qT = [Double](repeating: 0, count: n * n)
    for i in 0..<n { qT[i * n + i] = 1 }
    var offDiagonal = [Double](repeating: 0, count: n)
    // The work vectors are raw buffers: Swift Array accesses inside the O(n³) loops below would
    // each check their index (and, for writes, that the array is not shared), which keeps the
    // compiler from turning the loops into vector code. (With Arrays, tridiagonalising chapter 1's
    // 784 x 784 covariance took 3-4 s; with buffers, under half a second.)
    let v = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let w = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let vTM = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    defer {
      v.deallocate()
      w.deallocate()
      vTM.deallocate()
    }
    v.initialize(repeating: 0)
    w.initialize(repeating: 0)
    vTM.initialize(repeating: 0)

    a.withUnsafeMutableBufferPointer { a in
      qT.withUnsafeMutableBufferPointer { qT in
        for k in 0..<max(n - 2, 0) {
          let first = k + 1  // the trailing block is rows and columns first..<n
          // x = A[first..<n, k], read from row k (A is symmetric, and rows are contiguous).
          let x0 = a[k * n + first]
          var restSquared = 0.0
          for i in (first + 1)..<n { restSquared += a[k * n + i] * a[k * n + i] }
          // Nothing to do when x is already a multiple of e₁: H = I.
          if restSquared == 0 {
            offDiagonal[k] = x0
            continue
          }
          let normSquared = x0 * x0 + restSquared
          let alpha = x0 >= 0 ? -normSquared.squareRoot() : normSquared.squareRoot()
          offDiagonal[k] = alpha
          for i in first..<n { v[i] = a[k * n + i] }
          v[first] -= alpha
          // vᵀv = ‖x‖² − 2 α x₀ + α² = 2(‖x‖² − α x₀), so β = 2 / vᵀv = 1 / (‖x‖² − α x₀); both
          // terms are positive, again free of cancellation.
          let beta = 1 / (normSquared - alpha * x0)

          // p = β B v (stored in w), then w = p − (β/2)(vᵀp) v. B v is summed row by row of B
          // times v[j], for j in order: each p[i] = Σ_j B[j, i] v[j] adds the same products in
          // the same order as the dot product of row i with v would (B stays exactly symmetric:
          // the update below adds the same two products to B[i, j] and B[j, i]), but the inner
          // loop now runs along a row, across independent p[i], and becomes vector code.
          for i in first..<n { w[i] = 0 }
          for j in first..<n {
            let vj = v[j]
            let row = a.baseAddress! + j * n
            for i in first..<n { w[i] += row[i] * vj }
          }
          var vTp = 0.0
          for i in first..<n {
            w[i] = beta * w[i]
            vTp += v[i] * w[i]
          }
          let half = 0.5 * beta * vTp
          for i in first..<n { w[i] -= half * v[i] }
          // B ← B − v wᵀ − w vᵀ
          for i in first..<n {
            let (vi, wi) = (v[i], w[i])
            for j in first..<n { a[i * n + j] -= vi * w[j] + wi * v[j] }
          }

          // Qᵀ ← H Qᵀ = Qᵀ − β v (vᵀ Qᵀ). Rows 0…k of Qᵀ are untouched since v is zero there.
          for j in 0..<n { vTM[j] = 0 }
          for i in first..<n {
            let vi = v[i]
            for j in 0..<n { vTM[j] += vi * qT[i * n + j] }
          }
          for i in first..<n {
            let scale = beta * v[i]
            for j in 0..<n { qT[i * n + j] -= scale * vTM[j] }
          }
        }
        if n >= 2 { offDiagonal[n - 2] = a[(n - 2) * n + (n - 1)] }
      }
    }
    let diagonal = (0..<n).map { a[$0 * n + $0] }
    return (diagonal, offDiagonal, qT)
  }
}
