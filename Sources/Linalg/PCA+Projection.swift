import TensorCore

extension PCA {
  /// The codes of the rows of `x` (n, d): z = (x − μ) Wᵀ, shape (n, k).
  public func encode(_ x: Tensor) -> Tensor {
    check(
      x.rank == 2 && x.shape[1] == dimension,
      "PCA.encode: expected samples (n, \(dimension)), got \(x.shape)")
    return Tensor.matmul(x - mean, components, transposeB: true)
  }

  /// The reconstructions of codes `z` (n, k): x̂ = z W + μ, shape (n, d).
  public func decode(_ z: Tensor) -> Tensor {
    check(
      z.rank == 2 && z.shape[1] == componentCount,
      "PCA.decode: expected codes (n, \(componentCount)), got \(z.shape)")
    return Tensor.matmul(z, components) + mean
  }

  /// The mean squared error per element between the rows of `x` (n, d) and their reconstructions
  /// decode(encode(x)), computed `rowsPerChunk` rows at a time and summed in Double.
  public func reconstructionMSE(_ x: Tensor, rowsPerChunk: Int = 4096) -> Float {
    check(
      x.rank == 2 && x.shape[1] == dimension,
      "PCA.reconstructionMSE: expected samples (n, \(dimension)), got \(x.shape)")
    check(rowsPerChunk >= 1, "PCA.reconstructionMSE: rowsPerChunk must be ≥ 1")
    let n = x.shape[0]
    guard n > 0 else { return 0 }
    var total = 0.0
    for start in stride(from: 0, to: n, by: rowsPerChunk) {
      let chunk = x.rows(start..<Swift.min(start + rowsPerChunk, n))
      let error = decode(encode(chunk)) - chunk
      total += error.sumOfSquares()
    }
    return Float(total / Double(x.count))
  }
}
