import Foundation
import TensorCore

// The Jacobian of a function of one input, two ways: exactly by reverse mode (one backward pass
// per output), and approximately by central differences (two forward passes per input). Chapter 4
// uses them to check the contractive penalty's closed form and to look at what the penalty does to
// the encoder's local geometry (its singular values, in Linalg).

/// The Jacobian J = ∂f/∂x of `f` at one input `x`, by reverse-mode differentiation.
///
/// Shapes: `x` is one input, (d) or (1, d); `f` maps a variable of that shape to an output of m
/// elements, (m) or (1, m). The result is (m, d): J[k, i] = ∂f_k/∂x_i, row k the gradient of
/// output k.
///
/// How: one forward pass records the graph on a fresh leaf `Variable(x, requiresGrad: true)`; then,
/// for each output k, one backward pass seeded with the one-hot e_k (∂loss/∂f = e_k makes the
/// "loss" f_k) leaves ∂f_k/∂x in the leaf's gradient, which becomes row k. The graph is reused: a
/// backward pass frees only the intermediate gradients, not the backward rules. Cost: one forward
/// and m backward passes, the right way round for an encoder (few outputs, many inputs).
///
/// Side effects: none on the caller's variables. Any trainable leaves `f` uses (a layer's weights)
/// receive gradients during the m passes; their gradients are restored to what they were before
/// the call. Gradient recording is switched on inside, even within `withoutGradients`. An output
/// that does not depend on x gives a row of zeros. `f` should be deterministic (no dropout).
public func jacobian(of f: (Variable) -> Variable, at x: Tensor) -> Tensor {
  check(
    x.rank == 1 || (x.rank == 2 && x.shape[0] == 1),
    "jacobian: x must be one input of shape (d) or (1, d), not \(x.shape)")
  let d = x.count
  let input = Variable(x, requiresGrad: true, name: "jacobian.x")
  let output = GradientMode.$isEnabled.withValue(true) { f(input) }
  check(
    output.value.rank == 1 || (output.value.rank == 2 && output.shape[0] == 1),
    "jacobian: f must return one output of shape (m) or (1, m), not \(output.shape)")
  let m = output.value.count
  var rows = [Float](repeating: 0, count: m * d)
  guard output.requiresGrad else { return Tensor(shape: [m, d], scalars: rows) }

  // The other leaves that will collect gradients, and what they hold now.
  let leaves = output.topologicalOrder().filter { $0.inputs.isEmpty && $0 !== input }
  let saved = leaves.map(\.grad)
  for k in 0..<m {
    input.grad = nil
    var seed = Tensor(zeros: output.shape)
    seed.scalars[k] = 1
    output.backward(seed: seed)
    if let g = input.grad {
      for i in 0..<d { rows[k * d + i] = g.scalars[i] }
    }
  }
  input.grad = nil
  for (leaf, grad) in zip(leaves, saved) { leaf.grad = grad }
  return Tensor(shape: [m, d], scalars: rows)
}

/// The Jacobian of `f` at `x` by central differences, column by column, in Float:
///   J[·, i] ≈ (f(x + h e_i) − f(x − h e_i)) / 2h,  h = `step`.
///
/// Shapes as for `jacobian(of:at:)`: `x` is (d) or (1, d), `f(x)` has m elements ((m) or (1, m)),
/// the result is (m, d). Costs 2d evaluations of f. The truncation error shrinks like h², while the
/// Float rounding in f (about 6e-8 relative) is divided by 2h; with h = 1e-3 and outputs of order 1,
/// expect each entry to be right to a few times 1e-5. A reference for tests, not for training.
public func jacobianByFiniteDifferences(
  of f: (Tensor) -> Tensor, at x: Tensor, step: Float = 1e-3
) -> Tensor {
  check(
    x.rank == 1 || (x.rank == 2 && x.shape[0] == 1),
    "jacobianByFiniteDifferences: x must be one input of shape (d) or (1, d), not \(x.shape)")
  check(step > 0, "jacobianByFiniteDifferences: step must be positive, not \(step)")
  let d = x.count
  var m = -1
  var rows: [Float] = []
  for i in 0..<d {
    var point = x
    point.scalars[i] = x.scalars[i] + step
    let plus = f(point)
    point.scalars[i] = x.scalars[i] - step
    let minus = f(point)
    if m < 0 {
      m = plus.count
      rows = [Float](repeating: 0, count: m * d)
    }
    check(
      plus.count == m && minus.count == m,
      "jacobianByFiniteDifferences: f returned \(plus.count) and \(minus.count) elements, not \(m)")
    for k in 0..<m { rows[k * d + i] = (plus.scalars[k] - minus.scalars[k]) / (2 * step) }
  }
  if m < 0 { m = f(x).count }  // d = 0: no columns, but the rows are still f's outputs
  return Tensor(shape: [m, d], scalars: rows)
}

/// The Frobenius norm ‖J‖_F = √(Σ J_ki²) of a tensor of any shape (a Jacobian (m, d), usually),
/// summed in Double. Its square is what the contractive penalty measures.
public func frobeniusNorm(_ j: Tensor) -> Double {
  j.sumOfSquares().squareRoot()
}
