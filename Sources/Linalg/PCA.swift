import TensorCore

/// Principal component analysis: the linear autoencoder that needs no training.
///
/// PCA finds the k orthonormal directions along which data varies most: the top-k eigenvectors of
/// the covariance matrix C = (X − μ)ᵀ(X − μ) / (n − 1). Encoding projects a centred sample onto them
/// (z = (x − μ) Wᵀ, k numbers per sample); decoding maps back (x̂ = z W + μ). Among all linear
/// encoders to k dimensions with a linear decoder, this pair has the smallest mean squared
/// reconstruction error (Eckart–Young), which is why it is the baseline every autoencoder in this
/// book has to beat.
public struct PCA: Sendable {
  /// (d): the mean sample μ, subtracted before projecting.
  public let mean: Tensor
  /// (k, d): the principal directions W, one unit vector per row, mutually orthogonal, in order of
  /// decreasing variance. Each is signed so that its largest entry is positive.
  public let components: Tensor
  /// (k): the variance of the data along each component (the eigenvalues of C), largest first.
  public let explainedVariance: [Float]
  /// The total variance of the data, Σ over all d directions (the trace of C).
  public let totalVariance: Float

  public init(mean: Tensor, components: Tensor, explainedVariance: [Float], totalVariance: Float) {
    check(
      mean.rank == 1 && components.rank == 2 && components.shape[1] == mean.shape[0]
        && explainedVariance.count == components.shape[0],
      "PCA: mean \(mean.shape), components \(components.shape) and \(explainedVariance.count)"
        + " variances do not fit together")
    self.mean = mean
    self.components = components
    self.explainedVariance = explainedVariance
    self.totalVariance = totalVariance
  }

  /// The number of components k.
  public var componentCount: Int { components.shape[0] }
  /// The dimension d of a sample.
  public var dimension: Int { components.shape[1] }

  /// The fraction of the total variance each component explains (sums to ≤ 1).
  public var explainedVarianceRatio: [Float] {
    explainedVariance.map { totalVariance > 0 ? $0 / totalVariance : 0 }
  }

  /// Fits a PCA with `k` components to the rows of `x` (n, d).
  ///
  /// Two steps: the covariance matrix (see `covariance`, on the GEMM kernel, `rowsPerChunk` rows at a
  /// time), then its eigen-decomposition (`SymmetricEigen`, in Double). For Fashion-MNIST
  /// (60,000 × 784) the first is about 37 G multiply-adds and dominates; the second is about
  /// 5 G on a 784 × 784 matrix.
  public static func fit(_ x: Tensor, components k: Int, rowsPerChunk: Int = 4096) -> PCA {
    check(
      x.rank == 2 && x.shape[0] >= 1, "PCA.fit: needs data (n, d) with n ≥ 1, got \(x.shape)")
    return fit(
      rowCount: x.shape[0], dimension: x.shape[1], components: k, rowsPerChunk: rowsPerChunk
    ) { x.rows($0) }
  }

  /// The same, for n rows of dimension d handed out a chunk at a time by `rows(range)` (see
  /// `meanAndCovariance(rowCount:dimension:rowsPerChunk:rows:)`): what a chapter uses to fit the
  /// training set straight from its 8-bit images, without a 188 MB Float copy of all of them.
  public static func fit(
    rowCount n: Int, dimension d: Int, components k: Int, rowsPerChunk: Int = 4096,
    rows: (Range<Int>) -> Tensor
  ) -> PCA {
    check(n >= 1 && d >= 1, "PCA.fit: needs data (n, d) with n, d ≥ 1, got (\(n), \(d))")
    check(k >= 1 && k <= d, "PCA.fit: components must be in 1…\(d), got \(k)")
    let (mean, covariance) = meanAndCovariance(
      rowCount: n, dimension: d, rowsPerChunk: rowsPerChunk
    ) { range in
      let x = rows(range)
      check(x.isFinite, "PCA.fit: the data has NaN or infinite values (rows \(range))")
      return x
    }
    let eigen = SymmetricEigen.decompose(covariance, n: d)
    let components = Tensor(
      shape: [k, d], scalars: eigen.vectors[0..<(k * d)].map { Float($0) })
    // Rounding can leave the smallest eigenvalues of a covariance slightly negative; a variance is
    // never negative, so they are reported as 0.
    let variances = eigen.values.map { Swift.max($0, 0) }
    return PCA(
      mean: Tensor(shape: [d], scalars: mean.map { Float($0) }),
      components: components,
      explainedVariance: variances[0..<k].map { Float($0) },
      totalVariance: Float((0..<d).reduce(0.0) { $0 + covariance[$1 * d + $1] }))
  }

  /// The first `k` components only: exactly what `fit(x, components: k)` on the same data gives
  /// (the decomposition does not depend on k), without decomposing the covariance again.
  public func truncated(to k: Int) -> PCA {
    check(
      k >= 1 && k <= componentCount, "PCA.truncated: k must be in 1…\(componentCount), got \(k)")
    return PCA(
      mean: mean, components: components.rows(0..<k),
      explainedVariance: Array(explainedVariance[0..<k]), totalVariance: totalVariance)
  }
}
