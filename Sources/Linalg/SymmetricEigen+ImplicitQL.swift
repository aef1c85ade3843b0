import Foundation
import TensorCore

extension SymmetricEigen {
  /// The implicit QL algorithm with Wilkinson shifts (Numerical Recipes' `tqli`), on a symmetric
  /// tridiagonal matrix T: on return `diagonal` holds the eigenvalues (unsorted) and row i of
  /// `vectors` has been turned into the eigenvector of `diagonal[i]`.
  ///
  /// `offDiagonal[i]` couples rows i and i + 1. `vectors` (n, n) row-major comes in as Qᵀ from the
  /// tridiagonalisation (or the identity to get T's own eigenvectors).
  ///
  /// The idea. One QL step factors T − σI = QL (Q orthogonal, L lower triangular) and replaces T by
  /// LQ + σI = Qᵀ T Q, an orthogonal similarity: same eigenvalues, still tridiagonal. Repeated, it
  /// drives the off-diagonal entry next to d[l] to zero, fast (cubically) when the shift σ is close
  /// to an eigenvalue. Wilkinson's shift is the eigenvalue of the leading 2×2 block closer to d[l].
  /// "Implicit" means Q is never formed: the step is carried out as a chain of plane rotations that
  /// starts at the bottom of the block and sweeps up, each one fixing the bulge the previous one made.
  /// Each rotation acts on two rows of the eigenvector matrix, contiguous in memory.
  ///
  /// Deflation. Whenever an off-diagonal entry is negligible next to its two diagonal neighbours,
  /// T splits into independent blocks there, and the work continues on the block holding d[l].
  static func diagonalise(
    diagonal d: inout [Double], offDiagonal e: inout [Double], vectors: inout [Double], n: Int
  ) {
    guard n > 1 else { return }
    e[n - 1] = 0
    vectors.withUnsafeMutableBufferPointer { z in
      for l in 0..<n {
        var iterations = 0
        while true {
          // The block l…m: m is the first index ≥ l whose coupling to the next row is negligible.
          var m = l
          while m < n - 1 {
            let scale = abs(d[m]) + abs(d[m + 1])
            if abs(e[m]) <= Double.ulpOfOne * scale { break }
            m += 1
          }
          if m == l { break }  // d[l] is decoupled: it is an eigenvalue.
          iterations += 1
          check(
            iterations <= 100, "SymmetricEigen: the QL iteration did not converge (is A symmetric?)"
          )

          // Wilkinson shift σ, through g = d[m] − σ.
          var g = (d[l + 1] - d[l]) / (2 * e[l])
          var r = (g * g + 1).squareRoot()
          g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
          var (s, c, p) = (1.0, 1.0, 0.0)
          var i = m - 1
          var underflowed = false
          // Sweep rotations from the bottom of the block up to row l.
          while i >= l {
            let f = s * e[i]
            let b = c * e[i]
            r = hypot(f, g)
            e[i + 1] = r
            if r == 0 {
              // Both f and g underflowed: the block has split at i + 1; restart on the smaller one.
              d[i + 1] -= p
              e[m] = 0
              underflowed = true
              break
            }
            s = f / r
            c = g / r
            g = d[i + 1] - p
            r = (d[i] - g) * s + 2 * c * b
            p = s * r
            d[i + 1] = g + p
            g = c * r - b
            // The same rotation on rows i and i + 1 of the eigenvectors.
            let rowI = i * n
            let rowNext = (i + 1) * n
            for k in 0..<n {
              let zNext = z[rowNext + k]
              let zI = z[rowI + k]
              z[rowNext + k] = s * zI + c * zNext
              z[rowI + k] = c * zI - s * zNext
            }
            i -= 1
          }
          if underflowed { continue }
          d[l] -= p
          e[l] = g
          e[m] = 0
        }
      }
    }
  }
}
