import Autodiff
import Foundation
import TensorCore

// The contractive penalty of chapter 4: S. Rifai, P. Vincent, X. Muller, X. Glorot and Y. Bengio,
// "Contractive Auto-Encoders: Explicit Invariance During Feature Extraction", ICML 2011.
//
// A contractive autoencoder adds λ‖J_f(x)‖_F² to the reconstruction loss, where J_f(x) = ∂h/∂x is
// the Jacobian of the encoder at the input: the code is asked to change as little as possible when
// the input moves, except along the directions the reconstruction needs.

/// The contractive penalty of a one-layer sigmoid encoder h = σ(Wx + b), averaged over the batch.
///
/// Shapes: `code` h is (batch B, units m), the encoder's output σ(x·Wᵀ + b) for a batch x of shape
/// (B, d); `weight` W is (m, d), the encoder's `Linear.weight` (stored (out, in)). The result is a
/// scalar.
///
/// The Jacobian in closed form. For one input, h_j = σ(z_j) with z_j = Σ_i W_ji x_i + b_j, and
/// σ' = σ(1 − σ), so ∂h_j/∂x_i = h_j(1 − h_j) W_ji: J = diag(h ⊙ (1 − h)) W, of shape (m, d). Its
/// squared Frobenius norm needs no (m, d) matrix per input:
///   ‖J_f(x)‖_F² = Σ_j Σ_i (h_j(1 − h_j))² W_ji² = Σ_j a_j² s_j,
/// with a_j = h_j(1 − h_j) and s_j = Σ_i W_ji² (the squared norm of W's row j, the same for every
/// input). Over a batch, with a_bj = h_bj(1 − h_bj):
///   P = (1/B) Σ_b Σ_j a_bj² s_j.
/// Cost: one pass over W for s, one over h; O(md + Bm) instead of O(Bmd) for the Jacobians.
///
/// Gradient. P depends on h through a and on W through s, and the op sends a gradient to both:
///   ∂a_bj/∂h_bj = 1 − 2h_bj, so ∂P/∂h_bj = (1/B) · 2 a_bj (1 − 2h_bj) s_j;
///   ∂s_j/∂W_ji = 2 W_ji,       so ∂P/∂W_ji = (1/B) Σ_b a_bj² · 2 W_ji = 2 W_ji · (1/B) Σ_b a_bj².
/// The gradient with respect to h then flows on through the sigmoid and the Linear layer that made
/// it, to W (a second time) and to b; the backward pass adds the two contributions to W. Treating h
/// as an input of its own is what makes this exact: P is a function of (h, W), and h a function of
/// (W, b), so the chain rule is the sum of the two paths.
///
/// The sums (s, the per-unit Σ_b a_bj², the penalty) are taken in Double.
public func contractivePenalty(code h: Variable, weight w: Variable) -> Variable {
  check(
    h.value.rank == 2, "contractivePenalty: code must have shape (batch, units), not \(h.shape)")
  check(
    w.value.rank == 2, "contractivePenalty: weight must have shape (units, inputs), not \(w.shape)")
  let (batch, units) = (h.shape[0], h.shape[1])
  let inputs = w.shape[1]
  check(batch > 0 && units > 0, "contractivePenalty: code \(h.shape) holds no rows or no units")
  check(
    w.shape[0] == units,
    "contractivePenalty: weight \(w.shape) should be (units, inputs) with units = \(units), the"
      + " columns of code \(h.shape)")

  let code = h.value.scalars
  let weight = w.value.scalars
  // s_j = Σ_i W_ji²
  var rowNorm = [Double](repeating: 0, count: units)
  for j in 0..<units {
    var s = 0.0
    for i in 0..<inputs {
      let w = Double(weight[j * inputs + i])
      s += w * w
    }
    rowNorm[j] = s
  }
  // c_j = Σ_b a_bj², and P = (1/B) Σ_j c_j s_j.
  var slopeSquares = [Double](repeating: 0, count: units)
  for b in 0..<batch {
    for j in 0..<units {
      let v = Double(code[b * units + j])
      let a = v * (1 - v)
      slopeSquares[j] += a * a
    }
  }
  var total = 0.0
  for j in 0..<units { total += slopeSquares[j] * rowNorm[j] }
  let penalty = total / Double(batch)

  let codeShape = h.shape
  let weightShape = w.shape
  return Variable.record(Tensor(Float(penalty)), name: "contractivePenalty", inputs: [h, w]) { g in
    let scale = Double(g.scalar) / Double(batch)
    // ∂P/∂h_bj = (1/B) · 2 a_bj (1 − 2h_bj) s_j
    var dh = [Float](repeating: 0, count: batch * units)
    for b in 0..<batch {
      for j in 0..<units {
        let v = Double(code[b * units + j])
        dh[b * units + j] = Float(scale * 2 * v * (1 - v) * (1 - 2 * v) * rowNorm[j])
      }
    }
    // ∂P/∂W_ji = (1/B) Σ_b a_bj² · 2 W_ji
    var dW = [Float](repeating: 0, count: units * inputs)
    for j in 0..<units {
      let factor = scale * 2 * slopeSquares[j]
      for i in 0..<inputs { dW[j * inputs + i] = Float(factor * Double(weight[j * inputs + i])) }
    }
    return [Tensor(shape: codeShape, scalars: dh), Tensor(shape: weightShape, scalars: dW)]
  }
}
