import TensorCore

extension PCA {
  /// The column means μ (d) and the covariance matrix C = (X − μ)ᵀ(X − μ) / (n − 1) (d, d),
  /// row-major, of the rows of `x` (n, d), both in Double.
  ///
  /// The product is one big matrix multiply, (d, n)·(n, d), and runs on the GEMM kernel through
  /// `Tensor.matmul(_:_:transposeA:)`, which reads Xᵀ straight from X's storage. To bound memory, X
  /// is centred and multiplied `rowsPerChunk` rows at a time: C = Σ over chunks of X_cᵀ X_c, since
  /// XᵀX is a sum over rows. Each chunk's Float product is added into a Double total, so the sum of
  /// 60,000 rows loses no more precision than one chunk of 4,096.
  ///
  /// Why centre first rather than use C = (XᵀX − n μμᵀ)/(n − 1)? The shortcut subtracts two large,
  /// nearly equal numbers wherever the mean is large next to the spread (a pixel that is almost
  /// always white), and in Float that cancellation can leave nothing but rounding error.
  public static func meanAndCovariance(_ x: Tensor, rowsPerChunk: Int = 4096) -> (
    mean: [Double], covariance: [Double]
  ) {
    check(x.rank == 2, "PCA.meanAndCovariance: needs a matrix (n, d), got \(x.shape)")
    return meanAndCovariance(
      rowCount: x.shape[0], dimension: x.shape[1], rowsPerChunk: rowsPerChunk
    ) { x.rows($0) }
  }

  /// The same, for n rows of dimension d that `rows(range)` hands out a chunk at a time, as
  /// (range.count, d) tensors: a data set too large to hold as one Float tensor is never
  /// materialised (Fashion-MNIST's training set would be 188 MB). The rows are read twice, for
  /// the mean and then for the covariance, in the same order as the one-tensor version, so the
  /// result is the same to the last bit.
  public static func meanAndCovariance(
    rowCount n: Int, dimension d: Int, rowsPerChunk: Int = 4096,
    rows: (Range<Int>) -> Tensor
  ) -> (mean: [Double], covariance: [Double]) {
    check(rowsPerChunk >= 1, "PCA.meanAndCovariance: rowsPerChunk must be ≥ 1")
    let chunks = stride(from: 0, to: n, by: rowsPerChunk).map {
      $0..<Swift.min($0 + rowsPerChunk, n)
    }
    func chunk(_ range: Range<Int>) -> Tensor {
      let x = rows(range)
      check(
        x.shape == [range.count, d],
        "PCA: a chunk of rows \(range) must be (\(range.count), \(d)), got \(x.shape)")
      return x
    }

    // μ, accumulated in Double.
    var mean = [Double](repeating: 0, count: d)
    for range in chunks {
      chunk(range).withUnsafePointer { p in
        for i in 0..<range.count {
          for j in 0..<d { mean[j] += Double(p[i * d + j]) }
        }
      }
    }
    for j in 0..<d { mean[j] /= Double(Swift.max(n, 1)) }
    let meanRow = Tensor(shape: [d], scalars: mean.map { Float($0) })

    // Σ over chunks of X_cᵀ X_c, each (d, d).
    var covariance = [Double](repeating: 0, count: d * d)
    for range in chunks {
      let centred = chunk(range) - meanRow  // (rows, d)
      let product = Tensor.matmul(centred, centred, transposeA: true)  // (d, d)
      product.withUnsafePointer { p in
        for i in 0..<(d * d) { covariance[i] += Double(p[i]) }
      }
    }
    // n − 1, not n: the unbiased estimate (μ was itself estimated from the same rows).
    let scale = 1 / Double(Swift.max(n - 1, 1))
    for i in 0..<(d * d) { covariance[i] *= scale }
    return (mean, covariance)
  }
}
