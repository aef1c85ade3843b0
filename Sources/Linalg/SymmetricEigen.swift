import TensorCore

/// The eigen-decomposition of a real symmetric matrix: A = V Λ Vᵀ, with the eigenvalues Λ real and
/// the eigenvectors (the columns of V) orthonormal.
///
/// PCA needs it for the covariance matrix of the data: its eigenvectors are the directions of
/// greatest variance, and each eigenvalue is the variance along its direction.
///
/// The method is the classic two-step one (Golub & Van Loan ch. 8; Numerical Recipes §11.2–11.3),
/// in Double precision:
///
///   1. Householder tridiagonalisation (`tridiagonalise`). n − 2 reflections H = I − β v vᵀ, each
///      zeroing one column below the sub-diagonal, turn A into a tridiagonal T = Qᵀ A Q with the same
///      eigenvalues. Cost: about (4/3) n³ for T, plus n³ to accumulate Q.
///   2. Implicit QL with Wilkinson shifts (`diagonalise`). Plane rotations chase T to diagonal form;
///      each eigenvalue takes one to three sweeps, and every rotation is also applied to Q, which
///      turns it into the eigenvectors. Cost: about 3 n³ for the vectors, n² for the values.
///
/// Why not a simpler method? Jacobi rotations on the full matrix are easier to write but need many
/// sweeps of n³ work each; power iteration finds one vector at a time and stalls when eigenvalues
/// are close. For d = 784 (Fashion-MNIST pixels) the method here takes about a second.
public struct SymmetricEigen: Sendable {
  /// The matrix size.
  public let n: Int
  /// The eigenvalues, largest first.
  public let values: [Double]
  /// (n, n) row-major: row i is the unit eigenvector of `values[i]`. Each is signed so that its
  /// entry of largest magnitude is positive, which makes the result reproducible.
  public let vectors: [Double]

  /// Row i of `vectors`: the unit eigenvector of `values[i]`.
  public func vector(_ i: Int) -> [Double] { Array(vectors[(i * n)..<((i + 1) * n)]) }

  /// Decomposes the symmetric (n, n) matrix `a` (row-major). Only symmetric matrices have this
  /// decomposition; `a` is symmetrised as (A + Aᵀ)/2 first, which removes rounding differences
  /// between a[i, j] and a[j, i] (a covariance computed in Float has some).
  public static func decompose(_ a: [Double], n: Int) -> SymmetricEigen {
    check(n >= 0 && a.count == n * n, "SymmetricEigen: \(a.count) entries is not \(n)×\(n)")
    check(a.allSatisfy(\.isFinite), "SymmetricEigen: the matrix has NaN or infinite entries")
    var symmetric = a
    for i in 0..<n {
      for j in 0..<i {
        let mean = 0.5 * (a[i * n + j] + a[j * n + i])
        symmetric[i * n + j] = mean
        symmetric[j * n + i] = mean
      }
    }
    var (diagonal, offDiagonal, basis) = tridiagonalise(symmetric, n: n)
    diagonalise(diagonal: &diagonal, offDiagonal: &offDiagonal, vectors: &basis, n: n)

    // Largest eigenvalue first, each vector with its largest entry positive.
    let order = (0..<n).sorted { diagonal[$0] > diagonal[$1] }
    var vectors = [Double](repeating: 0, count: n * n)
    for (row, source) in order.enumerated() {
      let v = Array(basis[(source * n)..<((source + 1) * n)])
      let largest = v.max { abs($0) < abs($1) } ?? 0
      let sign: Double = largest < 0 ? -1 : 1
      for j in 0..<n { vectors[row * n + j] = sign * v[j] }
    }
    return SymmetricEigen(n: n, values: order.map { diagonal[$0] }, vectors: vectors)
  }
}
