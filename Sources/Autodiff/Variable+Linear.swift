import Kernels
import TensorCore

extension Variable {
  /// f(x·Wᵀ + b), a fully connected layer and its activation, as one graph op whose forward pass is
  /// one GEMM with the bias and f in its epilogue (Kernels/GEMMEpilogue.swift). x is (batch, in),
  /// weight (out, in), bias (out) or nil; activation nil for none, else one whose derivative can
  /// be read off its output: relu, leaky relu with a slope ≥ 0, sigmoid or tanh.
  ///
  /// Backward, with y = f(h), h = x·Wᵀ + b and G = ∂loss/∂y:
  ///   ∂h = G · f'(h)   (for relu and leaky relu, y > 0 exactly where h > 0; sigmoid and tanh
  ///                     need y only)
  ///   ∂x = ∂h·W,   ∂W = ∂hᵀ·x,   ∂b = the column sums of ∂h.
  /// These are the kernels the three separate ops (matmul, +, f) run, in the same order, so the
  /// gradients are the same bits as theirs.
  public static func linear(
    _ x: Variable, weight: Variable, bias: Variable?, activation: UnaryOp?
  ) -> Variable {
    if let activation {
      check(
        readsDerivativeFromOutput(activation),
        "linear: activation \(activation) cannot be fused (its derivative needs its input)")
    }
    let y = Tensor.linear(x.value, weight: weight.value, bias: bias?.value, activation: activation)
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    return record(y, name: "linear", inputs: inputs) { g in
      let dh = activation.map { y.unaryBackward($0, output: y, upstream: g) } ?? g
      var grads: [Tensor?] = [
        x.requiresGrad ? Tensor.matmul(dh, weight.value) : nil,
        weight.requiresGrad ? Tensor.matmul(dh, x.value, transposeA: true) : nil,
      ]
      if let bias { grads.append(bias.requiresGrad ? dh.sumToShape(bias.shape) : nil) }
      return grads
    }
  }

  /// Whether f'(h) can be computed from y = f(h) alone, which a fused layer keeps instead of h.
  public static func readsDerivativeFromOutput(_ op: UnaryOp) -> Bool {
    switch op {
    case .relu, .sigmoid, .tanh: return true
    case .leakyRelu(let slope): return slope >= 0
    default: return false
    }
  }
}
