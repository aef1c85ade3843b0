import TensorCore

extension Variable {
  /// Matrix product op(a)·op(b); op transposes when asked (see `Tensor.matmul`).
  ///
  /// Backward, writing A = op(a), B = op(b), C = A·B and G = ∂loss/∂C:
  ///   ∂A = G·Bᵀ and ∂B = Aᵀ·G.
  /// When a is stored transposed, ∂a = (∂A)ᵀ = B·Gᵀ; likewise ∂b = (∂B)ᵀ = Gᵀ·A. Each case is one
  /// more GEMM with the right transpose flags, so no transposed copy is ever made.
  public static func matmul(
    _ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false
  ) -> Variable {
    let out = Tensor.matmul(a.value, b.value, transposeA: transposeA, transposeB: transposeB)
    return record(out, name: "matmul", inputs: [a, b]) { g in
      var da: Tensor? = nil
      var db: Tensor? = nil
      if a.requiresGrad {
        da =
          transposeA
          ? Tensor.matmul(b.value, g, transposeA: transposeB, transposeB: true)  // B·Gᵀ
          : Tensor.matmul(g, b.value, transposeB: !transposeB)  // G·Bᵀ
      }
      if b.requiresGrad {
        db =
          transposeB
          ? Tensor.matmul(g, a.value, transposeA: true, transposeB: transposeA)  // Gᵀ·A
          : Tensor.matmul(a.value, g, transposeA: !transposeA)  // Aᵀ·G
      }
      return [da, db]
    }
  }
}
