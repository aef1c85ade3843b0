import Kernels

extension Tensor {
  /// Matrix product op(a)·op(b) of two rank-2 tensors, on the current kernel set.
  ///   a is (m, k), or stored (k, m) when `transposeA`; b is (k, n), or stored (n, k) when
  ///   `transposeB`; the result is (m, n).
  public static func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
  ) -> Tensor {
    check(
      a.rank == 2 && b.rank == 2,
      "matmul: needs two matrices, got shapes \(a.shape) and \(b.shape)")
    let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    check(
      ka == kb,
      "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "")"
        + " do not agree: inner dimensions \(ka) and \(kb) differ")
    let kernels = Kernels.current
    return Tensor(shape: [m, n]) { c in
      if ka == 0 {
        c.initialize(repeating: 0, count: m * n)
        return
      }
      a.withUnsafePointer { pa in
        b.withUnsafePointer { pb in
          kernels.gemm(
            m: m, n: n, k: ka, a: pa, transposeA: transposeA, b: pb, transposeB: transposeB,
            c: c, accumulate: false)
        }
      }
    }
  }

  /// The transpose of a matrix: (m, n) → (n, m).
  public func transposed() -> Tensor {
    check(rank == 2, "transposed: needs a matrix, got shape \(shape)")
    let (m, n) = (shape[0], shape[1])
    return withUnsafePointer { x in
      Tensor(shape: [n, m]) { y in
        for i in 0..<m {
          for j in 0..<n { y[j * m + i] = x[i * n + j] }
        }
      }
    }
  }
}
